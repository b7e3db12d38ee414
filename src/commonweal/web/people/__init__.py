"""People: invitations, organisation and tender roles, deactivation, passwords and sign-in throttling."""
