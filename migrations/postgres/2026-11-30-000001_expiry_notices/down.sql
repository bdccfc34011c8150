DROP TABLE expiry_notices;
