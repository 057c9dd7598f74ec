//! The arguments the generated commands share (paging and `--all` of a list, the options of
//! `wait-for-completion`), and reading matched arguments: path parameters, paging, filters.
//!
//! Every read goes through clap's `try_get_*`, so an argument the command does not define
//! is a usage error, never a panic.

use std::time::Duration;

use clap::{Arg, ArgAction, ArgMatches, Command, value_parser};
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::error::CliError;

/// Adds the paging flags (`--limit --after --before --cursor --order`) and `--all` to a list
/// command.
pub fn list_args(command: Command) -> Command {
    let max = i64::from(metorial::MAX_PAGE_SIZE);
    command
        .arg(
            Arg::new("limit")
                .long("limit")
                .value_name("N")
                .value_parser(value_parser!(u32).range(1..=max))
                .help("Items per page, 1 to 100 (the API's default is 20)"),
        )
        .arg(
            Arg::new("after")
                .long("after")
                .value_name("ID")
                .help("Only items after this ID"),
        )
        .arg(
            Arg::new("before")
                .long("before")
                .value_name("ID")
                .help("Only items before this ID"),
        )
        .arg(
            Arg::new("cursor")
                .long("cursor")
                .value_name("CURSOR")
                .help("A pagination cursor from a previous response"),
        )
        .arg(
            Arg::new("order")
                .long("order")
                .value_name("ORDER")
                .help("Sort order by creation: asc or desc"),
        )
        .arg(Arg::new("all").long("all").action(ArgAction::SetTrue).help(
            "Every page, fetched as the output is written: one JSON object per line \
                     (JSON Lines), progress on stderr",
        ))
}

/// Adds `--timeout` and `--poll-interval` to a `wait-for-completion` command.
pub fn wait_args(command: Command) -> Command {
    command
        .arg(
            Arg::new("timeout")
                .long("timeout")
                .value_name("SECONDS")
                .value_parser(value_parser!(u64))
                .help("How long to wait in all (default 600)"),
        )
        .arg(
            Arg::new("poll-interval")
                .long("poll-interval")
                .value_name("SECONDS")
                .value_parser(value_parser!(u64))
                .help("The wait before the second poll; later ones grow up to 10 s (default 2)"),
        )
}

/// The value of a required argument (a path parameter, a scope flag).
pub fn text(m: &ArgMatches, id: &str) -> Result<String, CliError> {
    optional_text(m, id)?.ok_or_else(|| CliError::Usage(format!("missing argument `{id}`")))
}

/// The value of an optional text argument.
pub fn optional_text(m: &ArgMatches, id: &str) -> Result<Option<String>, CliError> {
    m.try_get_one::<String>(id)
        .map(|value| value.cloned())
        .map_err(|e| CliError::Usage(format!("argument `{id}`: {e}")))
}

/// Whether the switch `id` is on (false when the command has no such switch).
pub fn switch(m: &ArgMatches, id: &str) -> bool {
    m.try_get_one::<bool>(id).ok().flatten().copied() == Some(true)
}

/// Whether `--all` was given.
pub fn all(m: &ArgMatches) -> bool {
    switch(m, "all")
}

/// `params` with the paging flags of `m` set.
pub fn paging<F>(
    mut params: metorial::List<F>,
    m: &ArgMatches,
) -> Result<metorial::List<F>, CliError> {
    let limit = m
        .try_get_one::<u32>("limit")
        .map_err(|e| CliError::Usage(format!("--limit: {e}")))?;
    if let Some(limit) = limit {
        params = params.limit(*limit);
    }
    if let Some(order) = filter::<metorial::models::SortOrder>(m, "order", "--order")? {
        params = params.order(order);
    }
    if let Some(after) = optional_text(m, "after")? {
        params = params.after(after);
    }
    if let Some(before) = optional_text(m, "before")? {
        params = params.before(before);
    }
    if let Some(cursor) = optional_text(m, "cursor")? {
        params = params.cursor(cursor);
    }
    Ok(params)
}

/// The value of the filter argument `id` (`flag` in messages) as the filter's type `T`.
///
/// One value is read as a string (`T` a string, an enumeration, a time), or failing that as
/// JSON (a number, a boolean); several values (a repeated or comma-separated flag) as a list
/// of those.
pub fn filter<T: DeserializeOwned>(
    m: &ArgMatches,
    id: &str,
    flag: &str,
) -> Result<Option<T>, CliError> {
    let values: Vec<String> = m
        .try_get_many::<String>(id)
        .map_err(|e| CliError::Usage(format!("{flag}: {e}")))?
        .map(|values| values.cloned().collect())
        .unwrap_or_default();
    if values.is_empty() {
        return Ok(None);
    }
    let as_strings = one_or_many(values.iter().map(|v| Value::String(v.clone())).collect());
    let error = match serde_json::from_value::<T>(as_strings) {
        Ok(value) => return Ok(Some(value)),
        Err(error) => error,
    };
    let as_json = one_or_many(
        values
            .iter()
            .map(|v| serde_json::from_str(v).unwrap_or_else(|_| Value::String(v.clone())))
            .collect(),
    );
    serde_json::from_value::<T>(as_json).map(Some).map_err(|_| {
        CliError::Usage(format!(
            "{flag}: invalid value `{}`: {error}",
            values.join(",")
        ))
    })
}

/// One value as itself, several as an array.
fn one_or_many(mut values: Vec<Value>) -> Value {
    if values.len() == 1 {
        values.remove(0)
    } else {
        Value::Array(values)
    }
}

/// The polling options of `wait-for-completion`.
pub fn wait_options(m: &ArgMatches) -> metorial::WaitOptions {
    let seconds = |id: &str| m.try_get_one::<u64>(id).ok().flatten().copied();
    let mut options = metorial::WaitOptions::default();
    if let Some(timeout) = seconds("timeout") {
        options = options.timeout(Duration::from_secs(timeout));
    }
    if let Some(interval) = seconds("poll-interval") {
        options = options.poll_interval(Duration::from_secs(interval));
    }
    options
}

#[cfg(test)]
mod tests {
    use super::*;
    use metorial::models::{IdFilter, ProviderSetupSessionStatus, SetupSessionStatusFilter};

    fn matches(args: &[&str]) -> ArgMatches {
        let command = list_args(Command::new("list")).arg(
            Arg::new("filter.id")
                .long("id")
                .action(ArgAction::Append)
                .value_delimiter(','),
        );
        command
            .try_get_matches_from(std::iter::once("list").chain(args.iter().copied()))
            .expect("the arguments parse")
    }

    #[test]
    fn filters_take_one_or_many_values() {
        let one = matches(&["--id", "pas_1"]);
        assert_eq!(
            filter::<IdFilter>(&one, "filter.id", "--id").unwrap(),
            Some(IdFilter::from("pas_1"))
        );
        let many = matches(&["--id", "pas_1,pas_2", "--id", "pas_3"]);
        let ids = filter::<IdFilter>(&many, "filter.id", "--id")
            .unwrap()
            .unwrap();
        assert_eq!(ids.as_slice(), ["pas_1", "pas_2", "pas_3"]);
        let status = filter::<SetupSessionStatusFilter>(&one, "filter.id", "--id").unwrap();
        assert_eq!(
            status.map(|s| s.as_slice().to_vec()),
            Some(vec![ProviderSetupSessionStatus::Unknown("pas_1".into())])
        );
        assert_eq!(
            filter::<i64>(&matches(&["--id", "42"]), "filter.id", "--id").unwrap(),
            Some(42)
        );
        assert!(
            filter::<IdFilter>(&matches(&[]), "filter.id", "--id")
                .unwrap()
                .is_none()
        );
    }

    #[test]
    fn bad_values_and_unknown_arguments_are_usage_errors() {
        let m = matches(&["--id", "x"]);
        let error = filter::<i64>(&m, "filter.id", "--id").unwrap_err();
        assert!(
            error.to_string().starts_with("--id: invalid value `x`"),
            "{error}"
        );
        assert_eq!(error.exit_code(), 2);
        assert!(text(&m, "nope").is_err());
        assert!(!switch(&m, "nope"));
        assert!(
            paging(
                metorial::ListSetupSessions::new(),
                &matches(&["--limit", "5", "--order", "desc"])
            )
            .is_ok()
        );
    }
}
