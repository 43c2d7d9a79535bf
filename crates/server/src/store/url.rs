//! What `--db` names: a path or a URL, whose scheme picks the backend. Deciding it here, once,
//! lets `main` open whichever store the administrator named and lets a new backend be one more
//! scheme, instead of every command guessing what the string is.

use std::ffi::OsStr;
use std::path::PathBuf;

/// The database `--db` names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Database {
    /// A SQLite file: a bare path, `sqlite:///absolute/path` or `sqlite:relative/path`.
    Sqlite(PathBuf),
    /// A PostgreSQL database: `postgres://USER[:PASSWORD]@HOST[:PORT]/DB[?pool_size=N]`, passed
    /// on to the client as written (`postgresql://` too).
    Postgres(String),
}

/// How a database URL is said in every refusal, so the administrator sees what works.
const USE_SQLITE: &str = "use a SQLite file (a path, sqlite:///absolute/path or sqlite:relative/path) \
                          or a PostgreSQL database (postgres://USER@HOST:PORT/DB)";

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DatabaseUrlError {
    #[error("--db: {0}:// is not a database this server knows; {USE_SQLITE}")]
    UnknownScheme(String),
    #[error("--db: the sqlite: URL names no file; {USE_SQLITE}")]
    NoFile,
    #[error("--db: a sqlite: URL takes no ?options (they would become part of the file name); {USE_SQLITE}")]
    Query,
}

impl Database {
    /// Reads `--db`. Only `scheme://` starts a URL (and `sqlite:`), so a Windows path such as
    /// `C:\Rainstaff\server.db` is a path; a path that is not text is always a path.
    pub fn parse(arg: &OsStr) -> Result<Self, DatabaseUrlError> {
        let Some(text) = arg.to_str() else {
            return Ok(Self::Sqlite(PathBuf::from(arg)));
        };
        let path = match strip_scheme(text, "sqlite://").or_else(|| strip_scheme(text, "sqlite:")) {
            // A bare path may hold a `?`; in a URL it would start options this server does not read.
            Some(path) if path.contains('?') => return Err(DatabaseUrlError::Query),
            Some(path) => path,
            None => match text.split_once("://") {
                Some((scheme, _)) if is_scheme(scheme) => {
                    return match scheme.to_ascii_lowercase().as_str() {
                        "postgres" | "postgresql" => Ok(Self::Postgres(text.to_string())),
                        _ => Err(DatabaseUrlError::UnknownScheme(scheme.to_string())),
                    };
                }
                _ => text,
            },
        };
        if path.is_empty() {
            return Err(DatabaseUrlError::NoFile);
        }
        Ok(Self::Sqlite(PathBuf::from(path)))
    }
}

/// `text` after `prefix`, the scheme matched in any case as RFC 3986 says (`SQLite:` too).
fn strip_scheme<'t>(text: &'t str, prefix: &str) -> Option<&'t str> {
    let head = text.get(..prefix.len())?;
    head.eq_ignore_ascii_case(prefix).then(|| &text[prefix.len()..])
}

/// How commands name the database: a file's path, or a URL without its password.
impl std::fmt::Display for Database {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Sqlite(path) => write!(f, "{}", path.display()),
            Self::Postgres(url) => {
                // The query may carry a password too (`?password=…`): it is left out whole.
                let url = url.split_once('?').map_or(url.as_str(), |(url, _query)| url);
                let (scheme, rest) = url.split_once("://").unwrap_or(("postgres", url));
                match rest.rsplit_once('@') {
                    Some((user, host)) => {
                        let user = user.split_once(':').map_or(user, |(user, _password)| user);
                        write!(f, "{scheme}://{user}@{host}")
                    }
                    None => write!(f, "{url}"),
                }
            }
        }
    }
}

/// An RFC 3986 scheme: a letter, then letters, digits, `+`, `-` or `.`.
fn is_scheme(s: &str) -> bool {
    let mut chars = s.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(arg: &str) -> Result<Database, DatabaseUrlError> {
        Database::parse(OsStr::new(arg))
    }

    fn sqlite(path: &str) -> Result<Database, DatabaseUrlError> {
        Ok(Database::Sqlite(PathBuf::from(path)))
    }

    #[test]
    fn a_path_or_a_sqlite_url_is_a_sqlite_file() {
        assert_eq!(parse("/var/lib/rainstaff/server.db"), sqlite("/var/lib/rainstaff/server.db"));
        assert_eq!(parse("server.db"), sqlite("server.db"));
        assert_eq!(parse(r"C:\Rainstaff\server.db"), sqlite(r"C:\Rainstaff\server.db"));
        assert_eq!(parse("sqlite:///var/lib/rainstaff/server.db"), sqlite("/var/lib/rainstaff/server.db"));
        assert_eq!(parse("sqlite:data/server.db"), sqlite("data/server.db"));
        assert_eq!(parse("sqlite:"), Err(DatabaseUrlError::NoFile));
    }

    #[test]
    fn the_sqlite_scheme_is_read_in_any_case() {
        assert_eq!(parse("SQLite:///var/lib/rainstaff/server.db"), sqlite("/var/lib/rainstaff/server.db"));
        assert_eq!(parse("SQLITE:data/server.db"), sqlite("data/server.db"));
        assert_eq!(parse("Sqlite:"), Err(DatabaseUrlError::NoFile));
    }

    #[test]
    fn options_after_a_sqlite_url_are_refused_not_made_part_of_the_file_name() {
        let refused = parse("sqlite:///var/lib/rainstaff/server.db?mode=ro").unwrap_err();
        assert_eq!(refused, DatabaseUrlError::Query);
        assert!(refused.to_string().contains("?options"), "{refused}");
        assert_eq!(parse("sqlite:server.db?cache=shared"), Err(DatabaseUrlError::Query));
        // A bare path is a file name as it stands.
        assert_eq!(parse("/tmp/odd?name.db"), sqlite("/tmp/odd?name.db"));
    }

    #[test]
    fn postgres_urls_name_a_postgres_database_and_other_schemes_are_refused() {
        let url = "postgres://rainstaff:gizli@db.local:5432/rainstaff";
        assert_eq!(parse(url), Ok(Database::Postgres(url.into())));
        assert_eq!(
            parse("postgresql://db.local/x"),
            Ok(Database::Postgres("postgresql://db.local/x".into()))
        );
        let refused = parse("mysql://rainstaff:gizli@db.local/x").unwrap_err();
        assert_eq!(refused, DatabaseUrlError::UnknownScheme("mysql".into()));
        let said = refused.to_string();
        assert!(said.contains("--db") && said.contains("postgres://") && !said.contains("gizli"), "{said}");
        assert_eq!(parse(url).unwrap().to_string(), "postgres://rainstaff@db.local:5432/rainstaff");
        let in_query = parse("postgres://rainstaff@db.local/rainstaff?password=gizli&pool_size=4").unwrap();
        assert_eq!(in_query.to_string(), "postgres://rainstaff@db.local/rainstaff");
        assert_eq!(parse("server.db").unwrap().to_string(), "server.db");
    }
}
