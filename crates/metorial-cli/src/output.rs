//! What a command answered ([`Reply`]) and how it is printed on stdout.
//!
//! - One object: pretty JSON.
//! - One page of a list: pretty JSON, `{"items": [...], "pagination": {"has_more_before",
//!   "has_more_after"}}` (the API's shape).
//! - `--all`: JSON Lines, one compact item per line, written as the pages come, with a
//!   progress line on stderr ([`Progress`]).
//! - `--table`: a column table ([`table`](crate::table)) of the object, the page's items, or
//!   every item (`--all` then prints once the last page is in).
//!
//! Secret properties print as `"<redacted>"` unless `--show-secrets` is given.

use std::io::Write;

use futures_util::stream::BoxStream;
use futures_util::{FutureExt, Stream, StreamExt};
use serde::Serialize;
use serde_json::{Value, json};

use crate::error::CliError;
use crate::progress::Progress;
use crate::redact::redact;

/// How to print: the global flags.
#[derive(Clone, Copy, Debug, Default)]
pub struct Options {
    /// `--table`.
    pub table: bool,
    /// `--show-secrets`.
    pub show_secrets: bool,
}

/// The paths of an answer's secret properties (see [`redact`]).
pub type Secrets = &'static [&'static [&'static str]];

/// What a command answered, ready to print.
pub struct Reply {
    /// The answer.
    shape: Shape,
    /// Its secret properties (of each item, for a list).
    secrets: Secrets,
}

/// The kinds of answers.
enum Shape {
    /// One object.
    One(Value),
    /// One page of a list.
    Page {
        /// The page's items.
        items: Vec<Value>,
        /// Whether items exist before the first one.
        has_more_before: bool,
        /// Whether items exist after the last one.
        has_more_after: bool,
    },
    /// Every item of a list, fetched page by page as it is read.
    Stream {
        /// The items.
        items: BoxStream<'static, Result<Value, CliError>>,
        /// What they are, for the progress line (`setup sessions`).
        noun: &'static str,
    },
}

impl Reply {
    /// One object.
    pub fn one<T: Serialize>(value: T, secrets: Secrets) -> Result<Reply, CliError> {
        let value = serde_json::to_value(value).map_err(CliError::Encode)?;
        Ok(Reply {
            shape: Shape::One(value),
            secrets,
        })
    }

    /// One page of a list.
    pub fn page<T: Serialize>(
        page: metorial::Page<T>,
        secrets: Secrets,
    ) -> Result<Reply, CliError> {
        let items = page
            .items
            .into_iter()
            .map(serde_json::to_value)
            .collect::<Result<Vec<_>, _>>()
            .map_err(CliError::Encode)?;
        Ok(Reply {
            shape: Shape::Page {
                items,
                has_more_before: page.has_more_before,
                has_more_after: page.has_more_after,
            },
            secrets,
        })
    }

    /// Every item of a list (an SDK `list_all` stream).
    pub fn stream<T, S>(items: S, noun: &'static str, secrets: Secrets) -> Reply
    where
        T: Serialize + 'static,
        S: Stream<Item = metorial::Result<T>> + Send + 'static,
    {
        let items = items
            .map(|item| {
                let item = item.map_err(CliError::Sdk)?;
                serde_json::to_value(item).map_err(CliError::Encode)
            })
            .boxed();
        Reply {
            shape: Shape::Stream { items, noun },
            secrets,
        }
    }

    /// Prints the answer to `out` (stdout) as `options` say.
    pub async fn print(self, options: Options, out: &mut dyn Write) -> Result<(), CliError> {
        let secrets = if options.show_secrets {
            &[][..]
        } else {
            self.secrets
        };
        match self.shape {
            Shape::One(mut value) => {
                redact(&mut value, secrets);
                if options.table {
                    write_out(out, &crate::table::render(&[value]))
                } else {
                    write_out(out, &pretty(&value)?)
                }
            }
            Shape::Page {
                mut items,
                has_more_before,
                has_more_after,
            } => {
                items.iter_mut().for_each(|item| redact(item, secrets));
                if options.table {
                    return write_out(out, &crate::table::render(&items));
                }
                let page = json!({
                    "items": items,
                    "pagination": {
                        "has_more_before": has_more_before,
                        "has_more_after": has_more_after,
                    },
                });
                write_out(out, &pretty(&page)?)
            }
            Shape::Stream { items, noun } => {
                let mut progress = Progress::new(noun);
                print_stream(items, &mut progress, secrets, options.table, out).await
            }
        }
    }
}

/// Prints every item of `items` as it comes (JSON Lines), or as one table at the end, with
/// the progress on stderr. The first error ends the listing (the items before it are out).
async fn print_stream(
    mut items: BoxStream<'static, Result<Value, CliError>>,
    progress: &mut Progress,
    secrets: Secrets,
    table: bool,
    out: &mut dyn Write,
) -> Result<(), CliError> {
    let mut rows = Vec::new();
    let mut count = 0;
    loop {
        // An item that is not ready at once means the stream is fetching the next page.
        let next = match items.next().now_or_never() {
            Some(next) => next,
            None => {
                progress.page(count);
                items.next().await
            }
        };
        let Some(item) = next else { break };
        let mut item = item?;
        count += 1;
        redact(&mut item, secrets);
        if table {
            rows.push(item);
        } else {
            let line = serde_json::to_string(&item).map_err(CliError::Encode)?;
            write_out(out, &format!("{line}\n"))?;
        }
    }
    progress.done(count);
    if table {
        write_out(out, &crate::table::render(&rows))?;
    }
    Ok(())
}

/// `value` as pretty JSON, with a final newline.
fn pretty(value: &Value) -> Result<String, CliError> {
    let mut text = serde_json::to_string_pretty(value).map_err(CliError::Encode)?;
    text.push('\n');
    Ok(text)
}

/// Writes `text` to `out` and flushes it (a line of `--all` is out as soon as it is known).
pub fn write_out(out: &mut dyn Write, text: &str) -> Result<(), CliError> {
    out.write_all(text.as_bytes())
        .and_then(|()| out.flush())
        .map_err(CliError::Output)
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn printed(reply: Reply, options: Options) -> (String, Result<(), CliError>) {
        let mut out = Vec::new();
        let result = reply.print(options, &mut out).await;
        (String::from_utf8(out).unwrap(), result)
    }

    #[tokio::test]
    async fn a_stream_prints_json_lines_and_ends_at_its_first_error() {
        let items = futures_util::stream::iter(vec![
            Ok(json!({"id": "a", "value": {"t": 1}})),
            Err(metorial::Error::InvalidRequest("boom".into())),
            Ok(json!({"id": "b"})),
        ]);
        let (out, result) = printed(
            Reply::stream(items, "things", &[&["value"]]),
            Options::default(),
        )
        .await;
        assert_eq!(out, "{\"id\":\"a\",\"value\":\"<redacted>\"}\n");
        assert_eq!(result.unwrap_err().to_string(), "invalid request: boom");
    }

    #[tokio::test]
    async fn pages_keep_the_api_shape_and_secrets_show_on_request() {
        // `metorial::Page` cannot be built outside the SDK: the shape `Reply::page` makes.
        let page = Reply {
            shape: Shape::Page {
                items: vec![json!({"id": "a", "value": {"t": 1}})],
                has_more_before: false,
                has_more_after: true,
            },
            secrets: &[&["value"]],
        };
        let options = Options {
            show_secrets: true,
            table: false,
        };
        let (out, result) = printed(page, options).await;
        result.unwrap();
        let printed: Value = serde_json::from_str(&out).unwrap();
        assert_eq!(
            printed,
            json!({"items": [{"id": "a", "value": {"t": 1}}],
                   "pagination": {"has_more_before": false, "has_more_after": true}})
        );
    }
}
