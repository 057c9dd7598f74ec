//! [`Spliced`]: a list page whose items share nested views (the auth method, deployment or
//! credentials every session of a page shows), each view encoded once and its bytes spliced
//! into every item that shows it.
//!
//! The page is serialized through its own generated types: a serializer wrapped around the
//! real one lets every field pass as it is, except the item fields [`Splices`] recorded, which
//! get the shared bytes instead of the `null` the item holds. So a field the spec adds to the
//! page or its items still appears, and the bytes equal those of the page with every view in
//! place (a property test says so).

use std::collections::HashMap;
use std::fmt::Display;

use serde::ser::{Serialize, SerializeSeq, SerializeStruct, Serializer};
use serde_json::value::RawValue;

/// An item field to fill: its JSON key and the shared view's index in [`Splices`].
type Fill = (&'static str, u32);

/// The shared views of one page, each encoded once, and what each item shows of them.
#[derive(Default)]
pub(crate) struct Splices {
    /// Each view's index, by its field, then ID (absent ones too: `None`).
    known: HashMap<&'static str, HashMap<String, Option<u32>>>,
    /// The encoded views.
    views: Vec<Box<RawValue>>,
    /// For each item so far, the fields to fill.
    fills: Vec<Vec<Fill>>,
}

/// An item's nested view `key` (its JSON field) of the record `id` (none without one): built
/// by `make`, or, when the item is one of a page's (`splices`), left out of the item (`None`)
/// and spliced in as encoded the first time the page asked for that record.
pub(crate) fn nested<T, E>(
    splices: Option<&mut Splices>,
    key: &'static str,
    id: Option<&str>,
    make: impl FnOnce(&str) -> Result<Option<T>, E>,
) -> Result<Option<T>, E>
where
    T: Serialize,
    E: From<serde_json::Error>,
{
    let Some(id) = id else {
        return Ok(None);
    };
    match splices {
        Some(splices) => {
            splices.show(key, id, make)?;
            Ok(None)
        }
        None => make(id),
    }
}

/// An item's field `key` stored as JSON `text` (none without one), as serde_json wrote it from
/// the field's type (the store writes its JSON columns so): decoded by `decode`, or, when the
/// item is one of a page's (`splices`), left out of the item (`None`) and the text spliced in
/// as it is, no value built, encoded and dropped per item.
pub(crate) fn stored<T, E>(
    splices: Option<&mut Splices>,
    key: &'static str,
    text: Option<String>,
    decode: impl FnOnce(String) -> Result<Option<T>, E>,
) -> Result<Option<T>, E>
where
    E: From<serde_json::Error>,
{
    let Some(text) = text else {
        return Ok(None);
    };
    match splices {
        Some(splices) => {
            let index = splices.keep(RawValue::from_string(text)?);
            splices.fill(key, index);
            Ok(None)
        }
        None => decode(text),
    }
}

impl Splices {
    /// Starts the next item's fields.
    pub(crate) fn next_item(&mut self) {
        self.fills.push(Vec::new());
    }

    /// Shows the view of record `id` as the current item's field `key`, built by `make` and
    /// encoded the first time; `make` giving `None` (no such record) leaves the field as the
    /// item has it.
    fn show<T, E>(
        &mut self,
        key: &'static str,
        id: &str,
        make: impl FnOnce(&str) -> Result<Option<T>, E>,
    ) -> Result<(), E>
    where
        T: Serialize,
        E: From<serde_json::Error>,
    {
        let known = self.known.get(key).and_then(|ids| ids.get(id));
        let index = match known {
            Some(index) => *index,
            None => {
                let index = match make(id)? {
                    Some(view) => Some(self.keep(serde_json::value::to_raw_value(&view)?)),
                    None => None,
                };
                let ids = self.known.entry(key).or_default();
                ids.insert(id.to_owned(), index);
                index
            }
        };
        if let Some(index) = index {
            self.fill(key, index);
        }
        Ok(())
    }

    /// Keeps an encoded view: its index.
    fn keep(&mut self, view: Box<RawValue>) -> u32 {
        self.views.push(view);
        u32::try_from(self.views.len() - 1).unwrap_or(u32::MAX)
    }

    /// Fills the current item's field `key` with view `index`.
    fn fill(&mut self, key: &'static str, index: u32) {
        if let Some(fills) = self.fills.last_mut() {
            fills.push((key, index));
        }
    }

    /// The page `list`, whose items are those [`next_item`](Self::next_item) was called for,
    /// in order.
    pub(crate) fn page<L>(self, list: L) -> Spliced<L> {
        Spliced {
            list,
            views: self.views,
            fills: self.fills,
        }
    }
}

/// A list page (`{items: [...], ...}`) serialized with its items' shared views spliced in
/// (see the [module](self) docs).
#[derive(Debug)]
pub(crate) struct Spliced<L> {
    /// The page, the spliced fields of its items left `null`.
    pub(crate) list: L,
    /// The shared views, encoded.
    views: Vec<Box<RawValue>>,
    /// For each item, the fields to fill.
    fills: Vec<Vec<Fill>>,
}

impl<L: Serialize> Serialize for Spliced<L> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let plan = Plan {
            views: &self.views,
            fills: &self.fills,
        };
        self.list.serialize(Splicer {
            inner: serializer,
            plan,
            at: At::Page,
        })
    }
}

/// What the splicer fills: the views and each item's fields.
#[derive(Clone, Copy)]
struct Plan<'a> {
    /// The shared views.
    views: &'a [Box<RawValue>],
    /// Each item's fields.
    fills: &'a [Vec<Fill>],
}

impl Plan<'_> {
    /// The view item `item` shows as field `key`, if spliced.
    fn view(&self, item: usize, key: &str) -> Option<&RawValue> {
        let fills = self.fills.get(item)?;
        let (_, index) = fills.iter().find(|(field, _)| *field == key)?;
        self.views.get(*index as usize).map(|view| &**view)
    }
}

/// Where in the page a value sits.
#[derive(Clone, Copy)]
enum At {
    /// The page object.
    Page,
    /// Its `items` array.
    Items,
    /// Item `n`.
    Item(usize),
    /// Anywhere else: passed through.
    Elsewhere,
}

/// A value at `at`, serialized through a [`Splicer`].
struct Placed<'a, T: ?Sized> {
    /// The value.
    value: &'a T,
    /// The plan.
    plan: Plan<'a>,
    /// Where it sits.
    at: At,
}

impl<T: ?Sized + Serialize> Serialize for Placed<'_, T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self.at {
            At::Elsewhere => self.value.serialize(serializer),
            at => self.value.serialize(Splicer {
                inner: serializer,
                plan: self.plan,
                at,
            }),
        }
    }
}

/// The real serializer, wrapped: the page's `items`, each item's struct, and its spliced
/// fields are told apart; everything else passes through.
struct Splicer<'a, S> {
    /// The real serializer.
    inner: S,
    /// The plan.
    plan: Plan<'a>,
    /// Where the value being serialized sits.
    at: At,
}

/// A struct being serialized at a place of the page.
struct StructAt<'a, S> {
    /// The real struct serializer.
    inner: S,
    /// The plan.
    plan: Plan<'a>,
    /// Where the struct sits.
    at: At,
}

impl<S: SerializeStruct> SerializeStruct for StructAt<'_, S> {
    type Ok = S::Ok;
    type Error = S::Error;

    fn serialize_field<T: ?Sized + Serialize>(
        &mut self,
        key: &'static str,
        value: &T,
    ) -> Result<(), S::Error> {
        match self.at {
            At::Page if key == "items" => self.inner.serialize_field(
                key,
                &Placed {
                    value,
                    plan: self.plan,
                    at: At::Items,
                },
            ),
            At::Item(n) => match self.plan.view(n, key) {
                Some(view) => self.inner.serialize_field(key, view),
                None => self.inner.serialize_field(key, value),
            },
            _ => self.inner.serialize_field(key, value),
        }
    }

    fn skip_field(&mut self, key: &'static str) -> Result<(), S::Error> {
        match self.at {
            At::Item(n) => match self.plan.view(n, key) {
                Some(view) => self.inner.serialize_field(key, view),
                None => self.inner.skip_field(key),
            },
            _ => self.inner.skip_field(key),
        }
    }

    fn end(self) -> Result<S::Ok, S::Error> {
        self.inner.end()
    }
}

/// The page's `items` array being serialized: each element is its item.
struct ItemsSeq<'a, S> {
    /// The real sequence serializer.
    inner: S,
    /// The plan.
    plan: Plan<'a>,
    /// The next item's index.
    next: usize,
}

impl<S: SerializeSeq> SerializeSeq for ItemsSeq<'_, S> {
    type Ok = S::Ok;
    type Error = S::Error;

    fn serialize_element<T: ?Sized + Serialize>(&mut self, value: &T) -> Result<(), S::Error> {
        let at = At::Item(self.next);
        self.next += 1;
        self.inner.serialize_element(&Placed {
            value,
            plan: self.plan,
            at,
        })
    }

    fn end(self) -> Result<S::Ok, S::Error> {
        self.inner.end()
    }
}

/// Forwards serializer methods that take no nested value to the real serializer.
macro_rules! forward {
    ($($method:ident($($arg:ident: $ty:ty),*);)*) => {
        $(fn $method(self, $($arg: $ty),*) -> Result<S::Ok, S::Error> {
            self.inner.$method($($arg),*)
        })*
    };
}

impl<'a, S: Serializer> Serializer for Splicer<'a, S> {
    type Ok = S::Ok;
    type Error = S::Error;
    type SerializeSeq = ItemsOr<ItemsSeq<'a, S::SerializeSeq>, S::SerializeSeq>;
    type SerializeTuple = S::SerializeTuple;
    type SerializeTupleStruct = S::SerializeTupleStruct;
    type SerializeTupleVariant = S::SerializeTupleVariant;
    type SerializeMap = S::SerializeMap;
    type SerializeStruct = StructAt<'a, S::SerializeStruct>;
    type SerializeStructVariant = S::SerializeStructVariant;

    forward! {
        serialize_bool(v: bool);
        serialize_i8(v: i8);
        serialize_i16(v: i16);
        serialize_i32(v: i32);
        serialize_i64(v: i64);
        serialize_i128(v: i128);
        serialize_u8(v: u8);
        serialize_u16(v: u16);
        serialize_u32(v: u32);
        serialize_u64(v: u64);
        serialize_u128(v: u128);
        serialize_f32(v: f32);
        serialize_f64(v: f64);
        serialize_char(v: char);
        serialize_str(v: &str);
        serialize_bytes(v: &[u8]);
        serialize_none();
        serialize_unit();
        serialize_unit_struct(name: &'static str);
        serialize_unit_variant(name: &'static str, index: u32, variant: &'static str);
    }

    fn serialize_some<T: ?Sized + Serialize>(self, value: &T) -> Result<S::Ok, S::Error> {
        let placed = Placed {
            value,
            plan: self.plan,
            at: self.at,
        };
        self.inner.serialize_some(&placed)
    }

    fn serialize_newtype_struct<T: ?Sized + Serialize>(
        self,
        name: &'static str,
        value: &T,
    ) -> Result<S::Ok, S::Error> {
        let placed = Placed {
            value,
            plan: self.plan,
            at: self.at,
        };
        self.inner.serialize_newtype_struct(name, &placed)
    }

    fn serialize_newtype_variant<T: ?Sized + Serialize>(
        self,
        name: &'static str,
        index: u32,
        variant: &'static str,
        value: &T,
    ) -> Result<S::Ok, S::Error> {
        self.inner
            .serialize_newtype_variant(name, index, variant, value)
    }

    fn serialize_seq(self, len: Option<usize>) -> Result<Self::SerializeSeq, S::Error> {
        let inner = self.inner.serialize_seq(len)?;
        Ok(match self.at {
            At::Items => ItemsOr::Items(ItemsSeq {
                inner,
                plan: self.plan,
                next: 0,
            }),
            _ => ItemsOr::Other(inner),
        })
    }

    fn serialize_tuple(self, len: usize) -> Result<S::SerializeTuple, S::Error> {
        self.inner.serialize_tuple(len)
    }

    fn serialize_tuple_struct(
        self,
        name: &'static str,
        len: usize,
    ) -> Result<S::SerializeTupleStruct, S::Error> {
        self.inner.serialize_tuple_struct(name, len)
    }

    fn serialize_tuple_variant(
        self,
        name: &'static str,
        index: u32,
        variant: &'static str,
        len: usize,
    ) -> Result<S::SerializeTupleVariant, S::Error> {
        self.inner
            .serialize_tuple_variant(name, index, variant, len)
    }

    fn serialize_map(self, len: Option<usize>) -> Result<S::SerializeMap, S::Error> {
        self.inner.serialize_map(len)
    }

    fn serialize_struct(
        self,
        name: &'static str,
        len: usize,
    ) -> Result<Self::SerializeStruct, S::Error> {
        let at = match self.at {
            At::Page | At::Item(_) => self.at,
            At::Items | At::Elsewhere => At::Elsewhere,
        };
        Ok(StructAt {
            inner: self.inner.serialize_struct(name, len)?,
            plan: self.plan,
            at,
        })
    }

    fn serialize_struct_variant(
        self,
        name: &'static str,
        index: u32,
        variant: &'static str,
        len: usize,
    ) -> Result<S::SerializeStructVariant, S::Error> {
        self.inner
            .serialize_struct_variant(name, index, variant, len)
    }

    fn collect_str<T: ?Sized + Display>(self, value: &T) -> Result<S::Ok, S::Error> {
        self.inner.collect_str(value)
    }

    fn is_human_readable(&self) -> bool {
        self.inner.is_human_readable()
    }
}

/// The page's `items` array, or any other sequence (passed through).
enum ItemsOr<I, O> {
    /// The `items` array.
    Items(I),
    /// Another sequence.
    Other(O),
}

impl<I, O> SerializeSeq for ItemsOr<I, O>
where
    I: SerializeSeq,
    O: SerializeSeq<Ok = I::Ok, Error = I::Error>,
{
    type Ok = I::Ok;
    type Error = I::Error;

    fn serialize_element<T: ?Sized + Serialize>(&mut self, value: &T) -> Result<(), I::Error> {
        match self {
            Self::Items(items) => items.serialize_element(value),
            Self::Other(other) => other.serialize_element(value),
        }
    }

    fn end(self) -> Result<I::Ok, I::Error> {
        match self {
            Self::Items(items) => items.end(),
            Self::Other(other) => other.end(),
        }
    }
}

#[cfg(test)]
mod tests {
    use metorial_models::{ProviderSetupSession, ProviderSetupSessionList};
    use proptest::prelude::*;
    use serde::ser::Error as _;
    use serde_json::{Map, Value, json};

    use super::*;

    /// A live session showing every nested view.
    fn session() -> ProviderSetupSession {
        let example = include_str!(
            "../../../spec/examples/live/get_provider_setup_session.auth-and-config.json"
        );
        serde_json::from_str(example).unwrap()
    }

    /// The nested fields of a session, spliced in the tests.
    const KEYS: [&str; 5] = [
        "auth_method",
        "deployment",
        "credentials",
        "auth_config",
        "config",
    ];

    /// `session`'s nested view `key` as JSON, renamed to variant `variant` (`None`: taken out).
    fn take(session: &mut ProviderSetupSession, key: &str) -> Option<Value> {
        let mut object = serde_json::to_value(&*session).unwrap();
        let view = object.get_mut(key).map(Value::take);
        *session = serde_json::from_value(object).unwrap();
        view.filter(|view| !view.is_null())
    }

    /// `session` with its nested view `key` set to `view`.
    fn with(session: &ProviderSetupSession, key: &str, view: &Value) -> ProviderSetupSession {
        let mut object = serde_json::to_value(session).unwrap();
        object[key] = view.clone();
        serde_json::from_value(object).unwrap()
    }

    /// The typed encoding of `session`'s nested view `key`.
    fn field(session: &ProviderSetupSession, key: &str) -> Box<RawValue> {
        let raw = match key {
            "auth_method" => serde_json::value::to_raw_value(&session.auth_method),
            "deployment" => serde_json::value::to_raw_value(&session.deployment),
            "credentials" => serde_json::value::to_raw_value(&session.credentials),
            "auth_config" => serde_json::value::to_raw_value(&session.auth_config),
            "config" => serde_json::value::to_raw_value(&session.config),
            _ => unreachable!("not a nested field: {key}"),
        };
        raw.unwrap()
    }

    /// A metadata object's entries.
    type Entries = Vec<(String, String)>;

    /// One item of a random page: its metadata (if any) and, per nested field, which of two
    /// records it shows (or none).
    fn item() -> impl Strategy<Value = (Option<Entries>, [Option<bool>; 5])> {
        (
            proptest::option::of(proptest::collection::vec(any::<(String, String)>(), 0..3)),
            proptest::array::uniform5(proptest::option::of(any::<bool>())),
        )
    }

    proptest! {
        #[test]
        fn a_spliced_page_encodes_as_its_typed_page(items in proptest::collection::vec(item(), 0..8)) {
            let mut base = session();
            let views: Vec<Value> = KEYS.iter().map(|key| take(&mut base, key).unwrap()).collect();
            // Two records per field: the example's, and one with another ID and name.
            let variant = |view: &Value, second: bool| {
                let mut view = view.clone();
                if second {
                    view["id"] = json!(format!("{}_2", view["id"].as_str().unwrap()));
                    view["name"] = json!("second \"record\"\n");
                }
                view
            };
            let mut typed = Vec::new();
            let mut hollow = Vec::new();
            let mut splices = Splices::default();
            for (n, (metadata, shows)) in items.iter().enumerate() {
                let mut item = base.clone();
                item.id = format!("pas_{n}");
                item.metadata = metadata.as_ref().map(|entries| {
                    Map::from_iter(entries.iter().map(|(k, v)| (k.clone(), json!(v))))
                });
                let mut full = item.clone();
                splices.next_item();
                // The metadata column's text, as the store writes it, spliced in unread.
                let text = item.metadata.as_ref().map(|m| serde_json::to_string(m).unwrap());
                item.metadata = stored(Some(&mut splices), "metadata", text, |_| {
                    Err(serde_json::Error::custom("a page's item decodes no column"))
                })
                .unwrap();
                for ((key, view), show) in KEYS.iter().zip(&views).zip(shows) {
                    let Some(second) = show else { continue };
                    let view = variant(view, *second);
                    full = with(&full, key, &view);
                    let id = view["id"].as_str().unwrap().to_owned();
                    let typed_view = field(&full, key);
                    let got = nested(Some(&mut splices), key, Some(&id), |_| {
                        Ok::<_, serde_json::Error>(Some(typed_view))
                    })
                    .unwrap();
                    prop_assert!(got.is_none(), "a page's item holds no nested view");
                }
                typed.push(full);
                hollow.push(item);
            }
            let pagination = base_pagination();
            let page = |items| {
                ProviderSetupSessionList::builder()
                    .items(items)
                    .pagination(pagination.clone())
                    .try_into()
                    .map(|list: ProviderSetupSessionList| list)
                    .unwrap()
            };
            let expected = serde_json::to_string(&page(typed)).unwrap();
            let spliced = serde_json::to_string(&splices.page(page(hollow))).unwrap();
            prop_assert_eq!(spliced, expected);
        }
    }

    /// A page's pagination, from the live list example.
    fn base_pagination() -> metorial_models::Pagination {
        let example = include_str!("../../../spec/examples/live/list_provider_setup_sessions.json");
        let list: ProviderSetupSessionList = serde_json::from_str(example).unwrap();
        list.pagination
    }

    #[test]
    fn a_single_read_builds_its_nested_view_and_a_missing_record_stays_null() {
        let made: Option<u8> = nested(None, "deployment", Some("pde_1"), |id| {
            assert_eq!(id, "pde_1");
            Ok::<_, serde_json::Error>(Some(7))
        })
        .unwrap();
        assert_eq!(made, Some(7));
        let none: Option<u8> = nested(
            None,
            "deployment",
            None,
            |_| -> Result<_, serde_json::Error> { panic!("no ID, nothing to build") },
        )
        .unwrap();
        assert_eq!(none, None);

        // A record that does not exist is asked for once and spliced nowhere.
        let mut splices = Splices::default();
        let mut asked = 0;
        for _ in 0..2 {
            splices.next_item();
            let got: Option<u8> =
                nested(Some(&mut splices), "deployment", Some("pde_gone"), |_| {
                    asked += 1;
                    Ok::<_, serde_json::Error>(None)
                })
                .unwrap();
            assert_eq!(got, None);
        }
        assert_eq!(asked, 1);
        let page = serde_json::json!({"items": [{"deployment": null}, {"deployment": null}]});
        assert_eq!(
            serde_json::to_value(splices.page(page.clone())).unwrap(),
            page
        );
    }

    #[derive(serde::Serialize)]
    struct Page {
        items: Vec<Item>,
        total: u32,
    }

    #[derive(serde::Serialize)]
    struct Item {
        #[serde(skip_serializing_if = "Option::is_none")]
        view: Option<u8>,
        tags: Vec<u8>,
    }

    #[test]
    fn a_skipped_field_is_spliced_too_and_other_sequences_pass_through() {
        let mut splices = Splices::default();
        splices.next_item();
        splices
            .show("view", "v1", |_| {
                Ok::<_, serde_json::Error>(Some(json!({"a": [1, 2]})))
            })
            .unwrap();
        splices.next_item();
        let page = Page {
            items: vec![
                Item {
                    view: None,
                    tags: vec![1, 2],
                },
                Item {
                    view: None,
                    tags: vec![],
                },
            ],
            total: 2,
        };
        assert_eq!(
            serde_json::to_string(&splices.page(page)).unwrap(),
            r#"{"items":[{"view":{"a":[1,2]},"tags":[1,2]},{"tags":[]}],"total":2}"#
        );
    }
}
