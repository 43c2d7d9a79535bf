//! The weekly inspection's nine items, as the offices check them walking round a vehicle, and
//! the shape of an inspection's `results` text: a JSON array of `{"item", "ok", "note"}`. The
//! item keys are the legacy program's own, so its results come across as they were.

use serde::{Deserialize, Serialize};

use crate::i18n::Lang;
use crate::schema::Label;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Item {
    #[serde(rename = "body_dent")]
    BodyDent,
    #[serde(rename = "paint_damage")]
    PaintDamage,
    #[serde(rename = "interior_clean")]
    InteriorCleanliness,
    #[serde(rename = "smoke_smell")]
    SmokeSmell,
    #[serde(rename = "tire_condition")]
    Tyres,
    #[serde(rename = "lights")]
    Lights,
    #[serde(rename = "glass")]
    Glass,
    #[serde(rename = "warning_lamps")]
    WarningLamps,
    #[serde(rename = "water_level")]
    WaterLevel,
}

/// The nine items in the order the form, the report and the legacy program list them.
pub const ITEMS: [Item; 9] = [
    Item::BodyDent,
    Item::PaintDamage,
    Item::InteriorCleanliness,
    Item::SmokeSmell,
    Item::Tyres,
    Item::Lights,
    Item::Glass,
    Item::WarningLamps,
    Item::WaterLevel,
];

impl Item {
    pub fn label(self) -> Label {
        let (tr, en) = match self {
            Item::BodyDent => ("Gövde ezik/çizik", "Body dent"),
            Item::PaintDamage => ("Boya hasarı", "Paint damage"),
            Item::InteriorCleanliness => ("İç temizlik", "Interior cleanliness"),
            Item::SmokeSmell => ("Sigara kokusu", "Smoke smell"),
            Item::Tyres => ("Lastikler", "Tyres"),
            Item::Lights => ("Far/stop/sinyal", "Lights"),
            Item::Glass => ("Camlar", "Glass"),
            Item::WarningLamps => ("İkaz lambaları", "Warning lamps"),
            Item::WaterLevel => ("Su seviyesi", "Water level"),
        };
        Label { tr, en }
    }

    /// The legacy program's key of an item, which is also how it is stored.
    pub fn from_key(key: &str) -> Option<Item> {
        serde_json::from_value(serde_json::Value::from(key)).ok()
    }
}

/// One item of one inspection.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ItemResult {
    pub item: Item,
    pub ok: bool,
    #[serde(default)]
    pub note: Option<String>,
}

/// An inspection's results, at most one per item, in any order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Results(pub Vec<ItemResult>);

impl Results {
    /// Reads a `results` text; `None` when it is not the shape above or names an item twice.
    pub fn parse(text: &str) -> Option<Results> {
        let items: Vec<ItemResult> = serde_json::from_str(text).ok()?;
        let mut seen: Vec<Item> = items.iter().map(|r| r.item).collect();
        seen.sort_unstable();
        seen.dedup();
        (seen.len() == items.len()).then_some(Results(items))
    }

    /// The results of a row's `results` field; none when the field is empty or unreadable.
    pub fn of_row(row: &serde_json::Map<String, serde_json::Value>) -> Results {
        row.get("results").and_then(serde_json::Value::as_str).and_then(Results::parse).unwrap_or_default()
    }

    pub fn to_text(&self) -> String {
        serde_json::to_string(&self.0).expect("results always serialise")
    }

    pub fn get(&self, item: Item) -> Option<&ItemResult> {
        self.0.iter().find(|r| r.item == item)
    }

    /// Sets one item, keeping the order of the nine.
    pub fn set(&mut self, result: ItemResult) {
        self.0.retain(|r| r.item != result.item);
        self.0.push(result);
        self.0.sort_by_key(|r| r.item);
    }

    /// The items found not OK, with their notes, as the office reads them: `Camlar (çatlak)`.
    pub fn not_ok(&self, lang: Lang) -> Vec<String> {
        self.0
            .iter()
            .filter(|r| !r.ok)
            .map(|r| match &r.note {
                Some(note) => format!("{} ({note})", r.item.label().get(lang)),
                None => r.item.label().get(lang).to_string(),
            })
            .collect()
    }

    /// An item's state in a word; a dash when it was not checked.
    pub fn state(&self, item: Item, lang: Lang) -> &'static str {
        match (self.get(item).map(|r| r.ok), lang) {
            (Some(true), Lang::Tr) => "Tamam",
            (Some(true), Lang::En) => "OK",
            (Some(false), Lang::Tr) => "Olumsuz",
            (Some(false), Lang::En) => "Not OK",
            (None, _) => "—",
        }
    }

    /// The legacy program's words for an item's state: `OK`/`Olumlu` and `Issue`/`Olumsuz`;
    /// `None` for anything else (its `NA`/`Bilinmiyor`, an item nobody checked).
    pub fn legacy_ok(status: &str) -> Option<bool> {
        match status.trim().to_lowercase().as_str() {
            "ok" | "olumlu" => Some(true),
            "issue" | "olumsuz" => Some(false),
            _ => None,
        }
    }
}

/// How an item went from one inspection of a vehicle to the next.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Trend {
    /// OK before, not OK now.
    Worsened,
    /// Not OK both times.
    Repeated,
    /// Not OK before, OK now.
    Mended,
}

impl Trend {
    pub fn label(self, lang: Lang) -> &'static str {
        match (self, lang) {
            (Trend::Worsened, Lang::Tr) => "Bozuldu",
            (Trend::Worsened, Lang::En) => "Worsened",
            (Trend::Repeated, Lang::Tr) => "Yine olumsuz",
            (Trend::Repeated, Lang::En) => "Not OK again",
            (Trend::Mended, Lang::Tr) => "Düzeldi",
            (Trend::Mended, Lang::En) => "Mended",
        }
    }
}

/// The items whose state says something from `before` to `after`, in the order of the nine;
/// an item either inspection did not check has no trend.
pub fn trends(before: &Results, after: &Results) -> Vec<(Item, Trend)> {
    ITEMS
        .iter()
        .filter_map(|&item| {
            let trend = match (before.get(item)?.ok, after.get(item)?.ok) {
                (true, false) => Trend::Worsened,
                (false, false) => Trend::Repeated,
                (false, true) => Trend::Mended,
                (true, true) => return None,
            };
            Some((item, trend))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn results_keep_the_legacy_keys_and_refuse_what_is_not_their_shape() {
        let text = r#"[{"item":"tire_condition","ok":false,"note":"ön sol"},{"item":"glass","ok":true}]"#;
        let results = Results::parse(text).unwrap();
        assert_eq!(results.get(Item::Tyres).unwrap().note.as_deref(), Some("ön sol"));
        assert!(results.get(Item::Glass).unwrap().ok);
        assert_eq!(Results::parse(&results.to_text()), Some(results));
        assert_eq!(Results::parse(r#"[{"item":"wipers","ok":true}]"#), None);
        assert_eq!(Results::parse(r#"[{"item":"glass","ok":true},{"item":"glass","ok":false}]"#), None);
        assert_eq!(Results::parse(r#"{"glass":true}"#), None);
        assert_eq!(Item::from_key("interior_clean"), Some(Item::InteriorCleanliness));
        assert_eq!(Results::legacy_ok("Olumsuz"), Some(false));
        assert_eq!(Results::legacy_ok("NA"), None);
    }

    #[test]
    fn trends_compare_each_item_with_the_inspection_before() {
        let of = |items: &[(Item, bool)]| {
            Results(items.iter().map(|&(item, ok)| ItemResult { item, ok, note: None }).collect())
        };
        let before =
            of(&[(Item::Glass, true), (Item::Lights, false), (Item::Tyres, false), (Item::WaterLevel, true)]);
        let after =
            of(&[(Item::Glass, false), (Item::Lights, false), (Item::Tyres, true), (Item::BodyDent, false)]);
        assert_eq!(
            trends(&before, &after),
            [(Item::Tyres, Trend::Mended), (Item::Lights, Trend::Repeated), (Item::Glass, Trend::Worsened)]
        );
    }
}
