//! The values a sweep has recorded: finished jobs' rows with entity and KPI names interned, in
//! a form that does not depend on which job finished first once made canonical.

use std::collections::BTreeMap;

use crate::kpi::{EntityKind, EntityValues};

/// One recorded value.
#[derive(Clone, Debug, PartialEq)]
pub struct Row {
    /// Entity index into [`Results::entities`].
    pub entity: u32,
    /// KPI index into [`Results::kpis`].
    pub kpi: u32,
    /// The value.
    pub value: f64,
}

/// Recorded values of the finished jobs, compact (names interned).
#[derive(Clone, Debug, Default)]
pub struct Results {
    /// Entities seen, in first-seen order.
    pub entities: Vec<(EntityKind, String)>,
    /// KPI names seen, in first-seen order.
    pub kpis: Vec<String>,
    /// Rows of each finished job, by job index (point × replications + replication).
    pub jobs: BTreeMap<usize, Vec<Row>>,
    entity_index: std::collections::HashMap<(EntityKind, String), u32>,
    kpi_index: std::collections::HashMap<String, u32>,
}

impl Results {
    fn entity(&mut self, kind: EntityKind, id: &str) -> u32 {
        if let Some(&i) = self.entity_index.get(&(kind, id.to_string())) {
            return i;
        }
        let i = self.entities.len() as u32;
        self.entities.push((kind, id.to_string()));
        self.entity_index.insert((kind, id.to_string()), i);
        i
    }
    fn kpi(&mut self, name: &str) -> u32 {
        if let Some(&i) = self.kpi_index.get(name) {
            return i;
        }
        let i = self.kpis.len() as u32;
        self.kpis.push(name.to_string());
        self.kpi_index.insert(name.to_string(), i);
        i
    }
    /// Records the values of `job` (replacing any recorded before).
    pub(crate) fn insert(&mut self, job: usize, values: &[EntityValues]) {
        let n = values.iter().map(|e| e.values.len()).sum();
        let named = values.iter().flat_map(|e| {
            e.values
                .iter()
                .map(move |(kpi, v)| (e.kind, e.id.as_str(), kpi.as_str(), *v))
        });
        self.insert_named(job, n, named);
    }

    /// Records `job`'s values given as (entity kind, entity, KPI, value), `n` of them.
    pub(crate) fn insert_named<'a>(
        &mut self,
        job: usize,
        n: usize,
        named: impl Iterator<Item = (EntityKind, &'a str, &'a str, f64)>,
    ) {
        let mut rows = Vec::with_capacity(n);
        for (kind, id, kpi, value) in named {
            rows.push(Row {
                entity: self.entity(kind, id),
                kpi: self.kpi(kpi),
                value,
            });
        }
        self.jobs.insert(job, rows);
    }

    /// `rows` (recorded here) with their names: (entity kind, entity, KPI, value).
    pub(crate) fn named<'a>(
        &'a self,
        rows: &'a [Row],
    ) -> impl Iterator<Item = (EntityKind, &'a str, &'a str, f64)> + 'a {
        rows.iter().map(|row| {
            let (kind, id) = &self.entities[row.entity as usize];
            (
                *kind,
                id.as_str(),
                self.kpis[row.kpi as usize].as_str(),
                row.value,
            )
        })
    }
}

/// Invalid points: (index, problems).
pub type InvalidPoints = Vec<(usize, Vec<String>)>;

/// The same results with names interned in job order, so that entity and KPI order (and so
/// every output file) do not depend on which job happened to finish first.
pub fn canonical(r: &Results) -> Results {
    let mut out = Results::default();
    for (job, rows) in &r.jobs {
        out.insert_named(*job, rows.len(), r.named(rows));
    }
    out
}
