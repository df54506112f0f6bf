//! The schema's versioned migrations, embedded in the binary (`migrations/NNNN_*.sql`), applied
//! in order at start under an advisory lock, each in its own transaction with its row in
//! `schema_migrations`. A database on a newer migration than this build knows is refused.

use crate::store::{Error, Result};

/// Every migration, in order: migration `n` is `MIGRATIONS[n - 1]`. Only ever append.
const MIGRATIONS: &[(&str, &str)] = &[(
    "0001_kv",
    include_str!("../../../../migrations/0001_kv.sql"),
)];

/// The advisory lock key that serialises migrations across processes ("nlg" and 1).
const MIGRATION_LOCK: i64 = 0x6e6c_6700_0001;

/// Connects on a connection of its own (the advisory lock ends with it, whatever happens),
/// takes the migration lock and applies what the database lacks.
pub(super) async fn migrate(config: tokio_postgres::Config) -> Result<()> {
    let target = describe(&config);
    let (mut client, connection) = config
        .connect(tokio_postgres::NoTls)
        .await
        .map_err(|error| cannot_connect(&target, &error))?;
    let driver = tokio::spawn(connection);
    let outcome = apply(&mut client).await;
    drop(client);
    let _ = driver.await;
    outcome
}

async fn apply(client: &mut tokio_postgres::Client) -> Result<()> {
    client
        .execute("SELECT pg_advisory_lock($1)", &[&MIGRATION_LOCK])
        .await
        .map_err(super::database_error)?;
    client
        .batch_execute(
            "CREATE TABLE IF NOT EXISTS schema_migrations (\
                 version BIGINT PRIMARY KEY, \
                 name TEXT NOT NULL, \
                 applied_at TIMESTAMPTZ NOT NULL DEFAULT now())",
        )
        .await
        .map_err(super::database_error)?;
    let found: i64 = client
        .query_one(
            "SELECT COALESCE(MAX(version), 0) FROM schema_migrations",
            &[],
        )
        .await
        .map_err(super::database_error)?
        .get(0);
    let known = i64::try_from(MIGRATIONS.len()).unwrap_or(i64::MAX);
    if found > known {
        return Err(Error::SchemaTooNew { found, known });
    }
    for (version, (name, sql)) in (1..).zip(MIGRATIONS) {
        if version <= found {
            continue;
        }
        let transaction = client.transaction().await.map_err(super::database_error)?;
        transaction
            .batch_execute(sql)
            .await
            .map_err(|error| Error::Database {
                reason: format!("migration {name}: {}", super::database_error(error)),
            })?;
        transaction
            .execute(
                "INSERT INTO schema_migrations (version, name) VALUES ($1, $2)",
                &[&version, name],
            )
            .await
            .map_err(super::database_error)?;
        transaction.commit().await.map_err(super::database_error)?;
        tracing::info!(migration = name, "database schema migrated");
    }
    Ok(())
}

/// `user@host:port/database`, never the password, for messages.
pub(super) fn describe(config: &tokio_postgres::Config) -> String {
    let host = config
        .get_hosts()
        .first()
        .map(|host| match host {
            tokio_postgres::config::Host::Tcp(name) => name.clone(),
            #[cfg(unix)]
            tokio_postgres::config::Host::Unix(path) => path.display().to_string(),
        })
        .unwrap_or_else(|| "localhost".to_owned());
    let port = config.get_ports().first().copied().unwrap_or(5432);
    let user = config.get_user().unwrap_or("(default user)");
    let database = config.get_dbname().unwrap_or(user);
    format!("{user}@{host}:{port}/{database}")
}

/// The one line a failed first connection gets: where, and the server's or the network's
/// reason (a refused password, an unknown database, a refused connection).
fn cannot_connect(target: &str, error: &tokio_postgres::Error) -> Error {
    let reason = match error.as_db_error() {
        Some(database) => database.message().to_owned(),
        None => {
            let mut reason = error.to_string();
            let mut source = std::error::Error::source(error);
            while let Some(cause) = source {
                reason = format!("{reason}: {cause}");
                source = cause.source();
            }
            reason
        }
    };
    Error::Unavailable {
        reason: format!("cannot connect to PostgreSQL at {target}: {reason}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_database_is_described_without_its_password() {
        let config: tokio_postgres::Config = "postgres://graph:s3cret@db.example:6543/nhs"
            .parse()
            .unwrap();

        assert_eq!(describe(&config), "graph@db.example:6543/nhs");
    }

    #[test]
    fn migrations_are_numbered_from_one_in_order() {
        for (number, (name, sql)) in (1..).zip(MIGRATIONS) {
            assert!(name.starts_with(&format!("{number:04}_")), "{name}");
            assert!(!sql.trim().is_empty(), "{name}");
        }
    }
}
