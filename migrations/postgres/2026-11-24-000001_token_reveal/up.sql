-- Showing a stored token value again is a permission of its own, Super Admins' alone.
INSERT INTO role_permissions (role_key, permission) VALUES ('super_admin', 'tokens.reveal');
