//! List parameters and [`Page`]s, and the auto-paginating streams.

use std::future::Future;

use futures_util::Stream;
use metorial_models::SortOrder;

use crate::error::{Error, Result};

/// One page of a list.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct Page<T> {
    /// The items of this page, in the requested order.
    pub items: Vec<T>,
    /// Whether items exist before the first item of this page.
    pub has_more_before: bool,
    /// Whether items exist after the last item of this page.
    pub has_more_after: bool,
}

impl<T> Page<T> {
    /// A page from a list response's parts.
    pub(crate) fn new(items: Vec<T>, pagination: metorial_models::Pagination) -> Self {
        Page {
            items,
            has_more_before: pagination.has_more_before,
            has_more_after: pagination.has_more_after,
        }
    }
}

/// The largest page the API serves.
pub const MAX_PAGE_SIZE: u32 = 100;

/// The parameters of a list call: paging options plus the resource's filters `F`.
///
/// ```
/// use metorial::{ListSetupSessions, models::{ProviderSetupSessionStatus, SortOrder}};
///
/// let params = ListSetupSessions::new()
///     .limit(50)
///     .order(SortOrder::Desc)
///     .provider_id("pro_5gHjKlMnPqRsTuVw")
///     .status([ProviderSetupSessionStatus::Pending, ProviderSetupSessionStatus::Failed]);
/// # let _ = params;
/// ```
#[derive(Clone, Debug, Default, PartialEq)]
#[must_use]
pub struct List<F> {
    pub(crate) limit: Option<u32>,
    pub(crate) order: Option<SortOrder>,
    pub(crate) after: Option<String>,
    pub(crate) before: Option<String>,
    pub(crate) cursor: Option<String>,
    pub(crate) filters: F,
}

impl<F: Default> List<F> {
    /// No filter, the API's default page size (20) and order (ascending).
    pub fn new() -> Self {
        Self::default()
    }
}

impl<F> List<F> {
    /// Items per page, 1 to [`MAX_PAGE_SIZE`]; checked before the request is sent.
    pub fn limit(mut self, limit: u32) -> Self {
        self.limit = Some(limit);
        self
    }

    /// Sort order (by creation).
    pub fn order(mut self, order: SortOrder) -> Self {
        self.order = Some(order);
        self
    }

    /// Only items after this ID. Wins over `before` and `cursor`.
    pub fn after(mut self, id: impl Into<String>) -> Self {
        self.after = Some(id.into());
        self
    }

    /// Only items before this ID. Wins over `cursor`.
    pub fn before(mut self, id: impl Into<String>) -> Self {
        self.before = Some(id.into());
        self
    }

    /// A pagination cursor from a previous response.
    pub fn cursor(mut self, cursor: impl Into<String>) -> Self {
        self.cursor = Some(cursor.into());
        self
    }

    /// The page size, checked.
    pub(crate) fn checked_limit(&self) -> Result<Option<std::num::NonZeroU64>> {
        match self.limit {
            None => Ok(None),
            Some(limit @ 1..=MAX_PAGE_SIZE) => Ok(std::num::NonZeroU64::new(u64::from(limit))),
            Some(limit) => Err(Error::InvalidRequest(format!(
                "limit must be between 1 and {MAX_PAGE_SIZE}, got {limit}"
            ))),
        }
    }

    /// These parameters for the page after (`Forward`) or before (`Backward`) `id`.
    fn next(mut self, direction: Direction, id: String) -> Self {
        self.cursor = None;
        match direction {
            Direction::Forward => {
                self.before = None;
                self.after = Some(id);
            }
            Direction::Backward => {
                self.after = None;
                self.before = Some(id);
            }
        }
        self
    }
}

/// Calls `$req.$method(value)` for each `Some` value (the generated builders take values,
/// not options).
macro_rules! set_some {
    ($req:ident, $($method:ident = $value:expr),* $(,)?) => {
        $(if let Some(value) = $value {
            $req = $req.$method(value);
        })*
    };
}

/// Sets the paging parameters of `$params` (a [`List`]) on a generated list builder, with the
/// already checked `$limit`.
macro_rules! set_paging {
    ($req:ident, $params:expr, $limit:expr) => {
        $crate::list::set_some!(
            $req,
            limit = $limit,
            order = $params.order.clone(),
            after = $params.after.clone(),
            before = $params.before.clone(),
            cursor = $params.cursor.clone(),
        );
    };
}

pub(crate) use {set_paging, set_some};

/// Objects a list can page by.
pub(crate) trait Identified {
    fn id(&self) -> &str;
}

/// Which way a stream pages.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Direction {
    /// With `after` = the last item's ID, while `has_more_after`.
    Forward,
    /// With `before` = the first item's ID, while `has_more_before`.
    Backward,
}

/// A resource whose list can be streamed.
pub(crate) trait Paged: Clone + Send + Sync + 'static {
    /// What the list holds.
    type Item: Identified + Send + 'static;
    /// The list's filters.
    type Filters: Clone + Send + Sync + 'static;

    /// One page.
    fn page(
        &self,
        params: &List<Self::Filters>,
    ) -> impl Future<Output = Result<Page<Self::Item>>> + Send;

    /// Every item from `params` on (see [`paginate`]).
    fn stream(
        &self,
        params: List<Self::Filters>,
        direction: Direction,
    ) -> impl Stream<Item = Result<Self::Item>> + Send + 'static {
        let this = self.clone();
        paginate(params, direction, move |p| {
            let this = this.clone();
            async move { this.page(&p).await }
        })
    }
}

/// Every item from `params` on, one page in memory at a time.
///
/// Forward, items come in the list's order. Backward, each page's items come last to first,
/// so the stream moves steadily backward.
fn paginate<T, F, P, Fut>(
    params: List<P>,
    direction: Direction,
    fetch: F,
) -> impl Stream<Item = Result<T>> + Send + 'static
where
    T: Identified + Send + 'static,
    P: Clone + Send + 'static,
    F: FnMut(List<P>) -> Fut + Send + 'static,
    Fut: Future<Output = Result<Page<T>>> + Send,
{
    struct State<T, F, P> {
        fetch: F,
        next: Option<List<P>>,
        items: std::vec::IntoIter<T>,
    }

    let state = State {
        fetch,
        next: Some(params),
        items: Vec::new().into_iter(),
    };
    futures_util::stream::unfold(state, move |mut state| async move {
        loop {
            if let Some(item) = state.items.next() {
                return Some((Ok(item), state));
            }
            let params = state.next.take()?;
            let page = match (state.fetch)(params.clone()).await {
                Ok(page) => page,
                // The stream ends after an error: `next` stays empty.
                Err(error) => return Some((Err(error), state)),
            };
            let (more, edge) = match direction {
                Direction::Forward => (page.has_more_after, page.items.last()),
                Direction::Backward => (page.has_more_before, page.items.first()),
            };
            if more && let Some(edge) = edge {
                state.next = Some(params.next(direction, edge.id().to_owned()));
            }
            let mut items = page.items;
            if direction == Direction::Backward {
                items.reverse();
            }
            state.items = items.into_iter();
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ListSetupSessions;

    #[test]
    fn limit_is_checked_before_sending() {
        assert!(ListSetupSessions::new().checked_limit().unwrap().is_none());
        assert_eq!(
            ListSetupSessions::new()
                .limit(100)
                .checked_limit()
                .unwrap()
                .unwrap()
                .get(),
            100
        );
        for bad in [0, 101, u32::MAX] {
            let err = ListSetupSessions::new()
                .limit(bad)
                .checked_limit()
                .unwrap_err();
            assert_eq!(
                err.to_string(),
                format!("invalid request: limit must be between 1 and 100, got {bad}")
            );
        }
    }

    #[test]
    fn the_next_page_keeps_filters_and_size_and_replaces_the_cursor() {
        let params = ListSetupSessions::new()
            .limit(5)
            .provider_id("pro_1")
            .cursor("c")
            .before("b");
        let next = params.clone().next(Direction::Forward, "pas_9".into());
        assert_eq!(next.after.as_deref(), Some("pas_9"));
        assert_eq!((next.before.clone(), next.cursor.clone()), (None, None));
        assert_eq!(
            (next.limit, next.filters.clone()),
            (params.limit, params.filters.clone())
        );

        let back = params.next(Direction::Backward, "pas_1".into());
        assert_eq!(
            (back.before.as_deref(), back.after.as_deref()),
            (Some("pas_1"), None)
        );
    }
}
