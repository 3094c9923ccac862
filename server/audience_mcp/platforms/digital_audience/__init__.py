"""Digital Audience: CRM audiences in campaigns, activated as segments on ad-platform accounts."""
