"""Everything a certificate is made of: PDF, Open Badges, LinkedIn links."""
