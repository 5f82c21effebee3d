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
    let tail = redact_query_password(tail);
    let Some((credentials, host)) = authority.rsplit_once('@') else {
        return format!("{scheme}://{authority}{tail}");
    };
    match credentials.split_once(':') {
        Some((user, _password)) => format!("{scheme}://{user}:***@{host}{tail}"),
        None => format!("{scheme}://{authority}{tail}"),
    }
}

/// The path and query with a `password=` parameter's value hidden.
fn redact_query_password(tail: &str) -> String {
    let Some((path, query)) = tail.split_once('?') else {
        return tail.to_string();
    };
    let parameters: Vec<String> = query
        .split('&')
        .map(|parameter| match parameter.split_once('=') {
            Some((name, _)) if name.eq_ignore_ascii_case("password") => format!("{name}=***"),
            _ => parameter.to_string(),
        })
        .collect();
    format!("{path}?{}", parameters.join("&"))
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
        assert_eq!(
            redact_password("postgres://leadmail@db/crm?sslmode=require&password=s3cret"),
            "postgres://leadmail@db/crm?sslmode=require&password=***"
        );
        for plain in [
            "sqlite:///var/lib/leadmail.db",
            "postgres://leadmail@db/crm?sslmode=verify-full",
            "postgres://leadmail@db/crm",
            "not a url",
        ] {
            assert_eq!(redact_password(plain), plain);
        }
    }
}
