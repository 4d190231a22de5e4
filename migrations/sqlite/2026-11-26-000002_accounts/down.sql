DROP TABLE api_tokens;
DROP TABLE login_failures;
DROP TABLE sessions;
