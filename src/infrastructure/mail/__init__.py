"""Mail as a technology: filling templates in (Jinja2) and handing messages to where mail goes
(SMTP through aiosmtplib, a maildir, the log). What to send and when is notifications'."""
