DELETE FROM role_permissions WHERE permission = 'tokens.reveal';
