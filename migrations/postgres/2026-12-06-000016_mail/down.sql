DROP TABLE mail_optouts;
DROP TABLE mail_outbox;
