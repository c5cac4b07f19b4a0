//! [`Gauges`]: a series' gauge columns by name.

use std::ops::Index;

use serde::{ser::SerializeMap, Serialize, Serializer};

/// Gauge columns by name, sorted by name (a JSON object, keys in order).
///
/// A sorted list rather than a `BTreeMap`: a series has a handful of gauges, and each
/// `BTreeMap<K, V>` the wasm module used brought its own copy of the B-tree's generic code
/// (the six of them weighed about 40 KB before wasm-opt; issue 11).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Gauges(Vec<(String, Vec<f64>)>);

impl Gauges {
    fn find(&self, name: &str) -> Result<usize, usize> {
        self.0.binary_search_by(|(k, _)| k.as_str().cmp(name))
    }

    /// The column of gauge `name`.
    pub fn get(&self, name: &str) -> Option<&Vec<f64>> {
        self.find(name).ok().map(|i| &self.0[i].1)
    }

    /// The column of gauge `name`, made by `make` if there is none.
    pub fn get_or_insert_with(
        &mut self,
        name: String,
        make: impl FnOnce() -> Vec<f64>,
    ) -> &mut Vec<f64> {
        let i = match self.find(&name) {
            Ok(i) => i,
            Err(i) => {
                self.0.insert(i, (name, make()));
                i
            }
        };
        &mut self.0[i].1
    }

    /// Whether there is a gauge `name`.
    pub fn contains_key(&self, name: &str) -> bool {
        self.find(name).is_ok()
    }

    /// Number of gauges.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// `(name, column)` in name order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &Vec<f64>)> {
        self.0.iter().map(|(k, v)| (k.as_str(), v))
    }

    /// The columns, in name order.
    pub fn values_mut(&mut self) -> impl Iterator<Item = &mut Vec<f64>> {
        self.0.iter_mut().map(|(_, v)| v)
    }
}

impl Index<&str> for Gauges {
    type Output = Vec<f64>;

    /// # Panics
    ///
    /// When there is no gauge `name`.
    fn index(&self, name: &str) -> &Vec<f64> {
        match self.get(name) {
            Some(v) => v,
            None => panic!("no gauge {name:?}"),
        }
    }
}

impl FromIterator<(String, Vec<f64>)> for Gauges {
    /// Gauges from `(name, column)`; of two with the same name, the last one stays (as a map's
    /// `collect` does).
    fn from_iter<I: IntoIterator<Item = (String, Vec<f64>)>>(iter: I) -> Self {
        let mut g = Gauges::default();
        for (name, col) in iter {
            *g.get_or_insert_with(name, Vec::new) = col;
        }
        g
    }
}

impl Serialize for Gauges {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        serialize_named(&self.0, s)
    }
}

/// A list of `(name, value)` pairs as a JSON object, in the list's order: gauges and a
/// Report's numbers are sorted lists, not maps, because each map type brought its own code into
/// the wasm module (issue 11).
pub(crate) fn serialize_named<V: Serialize, S: Serializer>(
    pairs: &[(String, V)],
    s: S,
) -> Result<S::Ok, S::Error> {
    let mut m = s.serialize_map(Some(pairs.len()))?;
    for (k, v) in pairs {
        m.serialize_entry(k, v)?;
    }
    m.end()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sorted_by_name_and_last_insert_wins() {
        let g: Gauges = [("b", 1.0), ("a", 2.0), ("b", 3.0)]
            .into_iter()
            .map(|(k, v)| (k.to_string(), vec![v]))
            .collect();
        assert_eq!(g.iter().map(|(k, _)| k).collect::<Vec<_>>(), ["a", "b"]);
        assert_eq!(g["b"], vec![3.0]);
        assert_eq!(g.get("c"), None);
        assert_eq!(
            serde_json::to_string(&g).unwrap(),
            r#"{"a":[2.0],"b":[3.0]}"#
        );
    }
}
