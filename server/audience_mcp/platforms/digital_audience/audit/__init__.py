"""Digital Audience's audit checks (pure: audiences in, findings out)."""
