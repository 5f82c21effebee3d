//! The mails admins get when a mailbox stops syncing (or its login is
//! refused) and when it recovers: nobody finds out about a silent mailbox a
//! week late. Pure: the sender decides when, the SMTP adapter sends.

/// What is known about a mailbox that is down.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MailboxDown<'a> {
    /// The configured mailbox name.
    pub mailbox: &'a str,
    /// Its server, `host:port`.
    pub server: &'a str,
    /// Since when it has not synced (RFC 3339).
    pub since: &'a str,
    /// The last error.
    pub error: &'a str,
    /// True when the server refused the login.
    pub login_refused: bool,
}

/// The subject and text of the "mailbox down" alert.
pub fn render_down(down: &MailboxDown<'_>) -> (String, String) {
    let (what, fix) = if down.login_refused {
        (
            "its login is refused",
            "check the mailbox's password or OAuth2 token (leadmail doctor tells which)",
        )
    } else {
        (
            "it has not synced",
            "check that the server is reachable from the leadmail host (leadmail doctor)",
        )
    };
    let subject = format!("leadmail: mailbox {} is down ({what})", down.mailbox);
    let text = format!(
        "Mailbox {name} ({server}) has not synced since {since}: {what}.\n\n\
         Last error: {error}\n\n\
         Mail sent to it waits on the server and is filed once it syncs again; \
         nothing is lost. To fix: {fix}.\n\n\
         You get one more mail when it recovers.\n\n-- \nleadmail alert\n",
        name = down.mailbox,
        server = down.server,
        since = down.since,
        error = down.error,
    );
    (subject, text)
}

/// The subject and text of the "mailbox recovered" alert.
pub fn render_recovered(mailbox: &str, server: &str) -> (String, String) {
    (
        format!("leadmail: mailbox {mailbox} syncs again"),
        format!(
            "Mailbox {mailbox} ({server}) syncs again; the mail that waited is being filed.\n\n-- \nleadmail alert\n"
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_refused_login_says_so_and_what_to_check() {
        let (subject, text) = render_down(&MailboxDown {
            mailbox: "crm",
            server: "imap.acme.test:993",
            since: "2026-11-23T10:00:00Z",
            error: "authentication failed",
            login_refused: true,
        });
        assert_eq!(
            subject,
            "leadmail: mailbox crm is down (its login is refused)"
        );
        assert!(text.contains("password or OAuth2 token"), "{text}");
        assert!(text.contains("authentication failed"), "{text}");
    }
}
