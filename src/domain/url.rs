//! URLs shown to people (errors, logs, `status`, `doctor`) with any password
//! they carry replaced: a PostgreSQL URL holds one
//! (`postgres://leadmail:secret@db/crm`), and no message may print it.

/// `scheme://user:password@host/…` → `scheme://user:***@host/…`; a URL
/// without a password is returned as it is.
pub fn redact_password(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_string();
    };
    let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(authority_end);
    let Some((credentials, host)) = authority.rsplit_once('@') else {
        return url.to_string();
    };
    match credentials.split_once(':') {
        Some((user, _password)) => format!("{scheme}://{user}:***@{host}{tail}"),
        None => url.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_password_in_a_url_is_never_shown() {
        assert_eq!(
            redact_password("postgres://leadmail:s3cr%40t@db.acme.test:5432/crm?sslmode=require"),
            "postgres://leadmail:***@db.acme.test:5432/crm?sslmode=require"
        );
        assert_eq!(
            redact_password("postgresql://u:p@w@host/db"),
            "postgresql://u:***@host/db",
            "the last @ ends the credentials"
        );
        for plain in [
            "sqlite:///var/lib/leadmail.db",
            "postgres://leadmail@db/crm",
            "not a url",
        ] {
            assert_eq!(redact_password(plain), plain);
        }
    }
}
