//! The dialect layer: one statement, written once with `$1` placeholders, run on either engine.
//!
//! Statements are `&'static str`, so every value reaches the database as a bound parameter;
//! there is no way to splice input into SQL through this module.

use crate::{Pool, Store, StoreError, Tx, TxInner};
use chrono::{DateTime, Utc};
use sqlx::postgres::{PgArguments, PgRow};
use sqlx::sqlite::{SqliteArguments, SqliteRow};
use sqlx::{Arguments, FromRow, PgConnection, PgPool, Postgres, Sqlite, SqliteConnection, SqlitePool};

/// A bound value, typed so that a NULL still carries its SQL type (PostgreSQL needs it).
#[derive(Debug, Clone)]
pub enum Value {
    /// `BIGINT` / `INTEGER`.
    I64(Option<i64>),
    /// `DOUBLE PRECISION` / `REAL`.
    F64(Option<f64>),
    /// `BOOLEAN`.
    Bool(Option<bool>),
    /// `TEXT`.
    Text(Option<String>),
    /// `TIMESTAMPTZ` on PostgreSQL, RFC 3339 `TEXT` on SQLite.
    Time(Option<DateTime<Utc>>),
}

/// Anything that can be bound to a placeholder.
pub trait Bind {
    /// The value to bind.
    fn value(self) -> Value;
    /// A NULL of this type.
    fn null() -> Value;
}

macro_rules! bind_as {
    ($ty:ty, $variant:ident, $conv:expr) => {
        impl Bind for $ty {
            fn value(self) -> Value {
                #[allow(clippy::redundant_closure_call)]
                Value::$variant(Some(($conv)(self)))
            }
            fn null() -> Value {
                Value::$variant(None)
            }
        }
    };
}

bind_as!(i64, I64, |v| v);
bind_as!(i32, I64, i64::from);
bind_as!(f64, F64, |v| v);
bind_as!(bool, Bool, |v| v);
bind_as!(String, Text, |v| v);
bind_as!(&str, Text, str::to_owned);
bind_as!(&String, Text, |v: &String| v.clone());
bind_as!(DateTime<Utc>, Time, |v| v);
bind_as!(&academy_core::Email, Text, |v: &academy_core::Email| v.as_str().to_owned());
bind_as!(&academy_core::OrgPath, Text, |v: &academy_core::OrgPath| v.as_str().to_owned());
bind_as!(academy_core::Role, Text, |v: academy_core::Role| v.as_str().to_owned());
bind_as!(academy_core::OrgKind, Text, |v: academy_core::OrgKind| v.as_str().to_owned());
bind_as!(academy_core::Locale, Text, |v: academy_core::Locale| v.as_str().to_owned());
bind_as!(academy_core::UsState, Text, |v: academy_core::UsState| v.as_str().to_owned());
bind_as!(&academy_core::NcesId, Text, |v: &academy_core::NcesId| v.as_str().to_owned());

impl<T: Bind> Bind for Option<T> {
    fn value(self) -> Value {
        match self {
            Some(v) => v.value(),
            None => T::null(),
        }
    }
    fn null() -> Value {
        T::null()
    }
}

/// A row type readable from both engines. Derive `sqlx::FromRow` on a struct whose fields
/// decode on both (i64, f64, bool, String, `DateTime<Utc>`, options of these) and it is one.
pub trait Record: for<'r> FromRow<'r, SqliteRow> + for<'r> FromRow<'r, PgRow> + Send + Unpin {}
impl<T> Record for T where T: for<'r> FromRow<'r, SqliteRow> + for<'r> FromRow<'r, PgRow> + Send + Unpin {}

/// Where a statement runs: the pool (its own implicit transaction) or an open transaction.
pub enum Exec<'c> {
    /// A SQLite pool.
    SqlitePool(&'c SqlitePool),
    /// A PostgreSQL pool.
    PgPool(&'c PgPool),
    /// A SQLite connection inside a transaction.
    Sqlite(&'c mut SqliteConnection),
    /// A PostgreSQL connection inside a transaction.
    Pg(&'c mut PgConnection),
}

impl<'c> From<&'c Store> for Exec<'c> {
    fn from(store: &'c Store) -> Self {
        match &store.pool {
            Pool::Sqlite(pool) => Exec::SqlitePool(pool),
            Pool::Postgres(pool) => Exec::PgPool(pool),
        }
    }
}

impl<'c> From<&'c mut Tx> for Exec<'c> {
    fn from(tx: &'c mut Tx) -> Self {
        match &mut tx.inner {
            TxInner::Sqlite(t) => Exec::Sqlite(&mut *t),
            TxInner::Postgres(t) => Exec::Pg(&mut *t),
        }
    }
}

/// A statement and its bound values.
#[must_use = "a query does nothing until it is run"]
pub struct Query {
    sql: &'static str,
    args: Vec<Value>,
}

/// Starts a statement.
pub fn query(sql: &'static str) -> Query {
    Query { sql, args: Vec::new() }
}

/// Runs `$body` with `$q` bound to the engine-specific query built from `$query`, on whichever
/// executor `$exec` holds.
macro_rules! on_engine {
    ($self:ident, $exec:expr, |$q:ident, $e:ident| $body:expr, $make_sqlite:expr, $make_pg:expr) => {{
        let Query { sql, args } = $self;
        match $exec {
            Exec::SqlitePool($e) => {
                let $q = ($make_sqlite)(sql, sqlite_args(args)?);
                $body
            }
            Exec::Sqlite($e) => {
                let $q = ($make_sqlite)(sql, sqlite_args(args)?);
                let $e = &mut *$e;
                $body
            }
            Exec::PgPool($e) => {
                let $q = ($make_pg)(sql, pg_args(args)?);
                $body
            }
            Exec::Pg($e) => {
                let $q = ($make_pg)(sql, pg_args(args)?);
                let $e = &mut *$e;
                $body
            }
        }
    }};
}

impl Query {
    /// Binds the next placeholder.
    pub fn bind(mut self, value: impl Bind) -> Self {
        self.args.push(value.value());
        self
    }

    /// Runs the statement; returns the number of rows it changed.
    pub async fn execute<'c>(self, exec: impl Into<Exec<'c>>) -> Result<u64, StoreError> {
        on_engine!(
            self,
            exec.into(),
            |q, e| Ok(q.execute(e).await?.rows_affected()),
            sqlx::query_with::<Sqlite, _>,
            sqlx::query_with::<Postgres, _>
        )
    }

    /// Reads exactly one row; no row is [`StoreError::Database`] with `RowNotFound`.
    pub async fn fetch_one<'c, T: Record>(self, exec: impl Into<Exec<'c>>) -> Result<T, StoreError> {
        on_engine!(
            self,
            exec.into(),
            |q, e| Ok(q.fetch_one(e).await?),
            sqlx::query_as_with::<Sqlite, T, _>,
            sqlx::query_as_with::<Postgres, T, _>
        )
    }

    /// Reads at most one row.
    pub async fn fetch_optional<'c, T: Record>(self, exec: impl Into<Exec<'c>>) -> Result<Option<T>, StoreError> {
        on_engine!(
            self,
            exec.into(),
            |q, e| Ok(q.fetch_optional(e).await?),
            sqlx::query_as_with::<Sqlite, T, _>,
            sqlx::query_as_with::<Postgres, T, _>
        )
    }

    /// Reads every row.
    pub async fn fetch_all<'c, T: Record>(self, exec: impl Into<Exec<'c>>) -> Result<Vec<T>, StoreError> {
        on_engine!(
            self,
            exec.into(),
            |q, e| Ok(q.fetch_all(e).await?),
            sqlx::query_as_with::<Sqlite, T, _>,
            sqlx::query_as_with::<Postgres, T, _>
        )
    }

    /// Reads one `BIGINT` (a count, an id).
    pub async fn fetch_i64<'c>(self, exec: impl Into<Exec<'c>>) -> Result<i64, StoreError> {
        Ok(self.fetch_one::<(i64,)>(exec).await?.0)
    }
}

fn sqlite_args(values: Vec<Value>) -> Result<SqliteArguments, StoreError> {
    let mut args = SqliteArguments::default();
    for value in values {
        let added = match value {
            Value::I64(v) => args.add(v),
            Value::F64(v) => args.add(v),
            Value::Bool(v) => args.add(v),
            Value::Text(v) => args.add(v),
            Value::Time(v) => args.add(v),
        };
        added.map_err(|e| StoreError::Invalid(format!("could not bind a value: {e}")))?;
    }
    Ok(args)
}

fn pg_args(values: Vec<Value>) -> Result<PgArguments, StoreError> {
    let mut args = PgArguments::default();
    for value in values {
        let added = match value {
            Value::I64(v) => args.add(v),
            Value::F64(v) => args.add(v),
            Value::Bool(v) => args.add(v),
            Value::Text(v) => args.add(v),
            Value::Time(v) => args.add(v),
        };
        added.map_err(|e| StoreError::Invalid(format!("could not bind a value: {e}")))?;
    }
    Ok(args)
}

/// Declares an enum stored as text: its variants and their stored words, `as_str`, `ALL`,
/// `TryFrom<String>` (rows read it with `#[sqlx(try_from = "String")]`), `Display`,
/// `Serialize` (as the stored word) and binding as a parameter.
macro_rules! stored_enum {
    (
        $(#[$meta:meta])*
        $vis:vis enum $name:ident {
            $( $(#[$vmeta:meta])* $variant:ident = $text:literal ),+ $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        $vis enum $name {
            $( $(#[$vmeta])* $variant ),+
        }

        impl $name {
            /// Every value, in declaration order.
            pub const ALL: &'static [Self] = &[$(Self::$variant),+];

            /// The stored word.
            pub fn as_str(self) -> &'static str {
                match self {
                    $(Self::$variant => $text),+
                }
            }
        }

        impl TryFrom<String> for $name {
            type Error = String;
            fn try_from(value: String) -> Result<Self, Self::Error> {
                match value.as_str() {
                    $($text => Ok(Self::$variant),)+
                    other => Err(format!(
                        "'{other}' is not one of: {}",
                        [$($text),+].join(", ")
                    )),
                }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        impl $crate::query::Bind for $name {
            fn value(self) -> $crate::query::Value {
                $crate::query::Value::Text(Some(self.as_str().to_owned()))
            }
            fn null() -> $crate::query::Value {
                $crate::query::Value::Text(None)
            }
        }
    };
}
pub(crate) use stored_enum;
