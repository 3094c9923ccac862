"""Who is calling and what they may do: scopes from tool annotations, the caller behind a change,
and (HTTP mode) the verification of OAuth access tokens from the team's identity provider."""
