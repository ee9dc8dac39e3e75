//! The conversion of a scenario's raw structs into a [`Model`], one function per section:
//! simulation, calendars, classes, nodes with stages (checkpoints and terminals), links, flows,
//! route choices and terminal transfers. Problems go to the [`Checker`]; a model comes out only
//! when every section converted.

use std::collections::{BTreeMap, HashMap, HashSet};

use crate::model::{
    Alternative, CheckpointSpec, ClassSpec, FlowSpec, Model, NodeKind, StageSpec, Storage,
};
use crate::time::{Date, SimDuration, days_between, parse_date, parse_duration, parse_utc_offset};

use super::Overrides;
use super::check;
use super::error::{Checker, FieldPath, closest};
use super::flow::{BuiltFlow, build_flow};
use super::hours::{Calendars, Clock, calendar_parts};
use super::link::build_link;
use super::raw::{RawArrivals, RawCalendar, RawScenario, RawSimulation, RawStage, RawTerminal};
use super::stage::build_stage;
use super::value::{duration, int_in, num, parse_opt};

/// Checks `raw` (with the command line's `ov`) and converts it; `None` when something did not
/// convert (its problems are in `ck`).
pub(super) fn build(ck: &mut Checker, raw: RawScenario, ov: Overrides) -> Option<Model> {
    let sim = simulation(ck, &raw.simulation, ov);
    let calendars = calendars(ck, &raw.calendars);
    let (class_ids, classes) = classes(ck, &raw);
    let class_index: HashMap<&str, u16> = class_ids
        .iter()
        .enumerate()
        .map(|(i, c)| (c.as_str(), i as u16))
        .collect();
    let env = Env {
        clock: &sim.clock,
        calendars: &calendars,
        class_index: &class_index,
        n_classes: class_ids.len(),
    };

    // Nodes: checkpoints, terminals and links share one id space.
    check::nodes_present(ck, &raw);
    let mut net = Network::default();
    stage_nodes(ck, &raw, &env, &mut net);
    links(ck, &raw, &env, &mut net);

    check::flows_present(ck, &raw);
    let (built, mut flow_index) = flows(ck, &raw, &net, &class_index, &sim);
    let flows = route_choices(ck, &raw, built, &mut flow_index);
    let fed = transfers(ck, &raw, &flow_index, &mut net);
    check::transfer_flows(
        ck,
        &raw,
        (&net.cp_index, &net.checkpoints),
        &fed,
        (&flows, &flow_index),
    );

    let crossings = super::crossing::build_crossings(ck, &raw.crossings, &net.cp_index, &flows);
    let series_step = series_cost(ck, &sim, net.stages.len())?;
    Some(Model {
        name: raw.simulation.name.clone(),
        days: sim.days?,
        warmup_days: sim.warmup_days?,
        seed: sim.seed?,
        replications: sim.replications?,
        start_date: sim.start_date?,
        utc_offset: sim.clock.reference,
        metres_per_vehicle: sim.metres_per_vehicle,
        series_step,
        classes,
        checkpoints: net.checkpoints,
        stages: net.stages,
        flows,
        crossings: crossings?,
        max_in_system: crate::model::default_vehicle_budget(),
    })
}

/// Finest `series_step`: a finer series says nothing more about queues that change by the minute.
const MIN_SERIES_STEP: SimDuration = SimDuration::from_ms(60_000);

/// `series_step` when none is given.
const DEFAULT_SERIES_STEP: SimDuration = SimDuration::from_ms(crate::time::MS_PER_HOUR);

/// Most rows (stages × steps after the warm-up) of a replication's time series: at about 100 B
/// a row in memory, 1 GB.
const MAX_SERIES_ROWS: u64 = 10_000_000;

/// The series step, checked against what it costs: a written step whose series would exceed
/// [`MAX_SERIES_ROWS`] is refused; the default (1 h) grows to the least whole number of hours
/// that fits.
fn series_cost(ck: &mut Checker, sim: &Simulation, stages: usize) -> Option<SimDuration> {
    let step = sim.series_step?;
    let measured = u64::from(sim.days?.saturating_sub(sim.warmup_days?));
    let measured_ms = measured * crate::time::MS_PER_DAY as u64;
    let stages = (stages as u64).max(1);
    let rows = |step: SimDuration| measured_ms / (step.as_ms().max(1) as u64) * stages;
    if rows(step) <= MAX_SERIES_ROWS {
        return Some(step);
    }
    if sim.series_given {
        ck.report(
            &FieldPath::default().key("simulation").key("series_step"),
            format!(
                "a series every {step} over {measured} measured days for {stages} stages is {} rows, \
                 more than {MAX_SERIES_ROWS}: give a longer step",
                rows(step)
            ),
        );
        return None;
    }
    let hour = crate::time::MS_PER_HOUR as u64;
    let hours = (measured_ms / hour * stages).div_ceil(MAX_SERIES_ROWS);
    Some(SimDuration::from_ms((hours * hour) as i64))
}

/// Most road a queued vehicle may take [m]: more than twice the longest freight train, and small
/// enough that the queue-length KPIs (km, averaged over time) stay finite.
pub const MAX_METRES_PER_VEHICLE: f64 = 10_000.0;

/// The `[simulation]` section, checked; `None` fields did not convert.
struct Simulation {
    days: Option<u32>,
    warmup_days: Option<u32>,
    seed: Option<u64>,
    replications: Option<u32>,
    start_date: Option<Date>,
    metres_per_vehicle: f64,
    series_step: Option<SimDuration>,
    /// True if `series_step` was written (not the default).
    series_given: bool,
    /// Start date and reference offset, with defaults where they did not convert.
    clock: Clock,
}

/// What building stages and links needs from the sections before them.
struct Env<'a> {
    clock: &'a Clock,
    calendars: &'a Calendars,
    class_index: &'a HashMap<&'a str, u16>,
    n_classes: usize,
}

/// The nodes built so far: checkpoints, terminals and links, their stages, and node ids.
#[derive(Default)]
struct Network {
    checkpoints: Vec<CheckpointSpec>,
    stages: Vec<StageSpec>,
    cp_index: HashMap<String, u32>,
}

/// The `[simulation]` table, with the command line's values in place of the file's.
fn simulation(ck: &mut Checker, s: &RawSimulation, ov: Overrides) -> Simulation {
    let sim_p = FieldPath::default().key("simulation");
    if s.name.trim().is_empty() {
        ck.report(&sim_p.key("name"), "must not be empty");
    }
    let days_raw = ov.days.unwrap_or(s.days);
    let days_note = if ov.days.is_some() {
        " (an override of the file's value)"
    } else {
        ""
    };
    let days = if !(1..=36_500).contains(&days_raw) {
        ck.report(
            &sim_p.key("days"),
            format!("must be between 1 and 36500 (got {days_raw}){days_note}"),
        );
        None
    } else {
        Some(days_raw as u32)
    };
    let warmup = s.warmup_days.unwrap_or(0);
    let warmup_days = if warmup < 0 {
        ck.report(
            &sim_p.key("warmup_days"),
            format!("must not be negative (got {warmup})"),
        );
        None
    } else if days.is_some_and(|d| warmup >= d as i64) {
        ck.report(
            &sim_p.key("warmup_days"),
            format!(
                "must be less than days ({warmup} >= {days_raw}{days_note}): nothing would be measured"
            ),
        );
        None
    } else {
        Some(warmup as u32)
    };
    let seed = match (ov.seed, s.seed) {
        (Some(x), _) => Some(x),
        (None, None) => Some(1),
        (None, Some(x)) if x >= 0 => Some(x as u64),
        (None, Some(x)) => {
            ck.report(
                &sim_p.key("seed"),
                format!("must not be negative (got {x})"),
            );
            None
        }
    };
    let reps_raw = ov.replications.or(s.replications).unwrap_or(1);
    let replications = if !(1..=100_000).contains(&reps_raw) {
        let note = if ov.replications.is_some() {
            " (an override of the file's value)"
        } else {
            ""
        };
        ck.report(
            &sim_p.key("replications"),
            format!("must be between 1 and 100000 (got {reps_raw}){note}"),
        );
        None
    } else {
        Some(reps_raw as u32)
    };
    let start_date = match &s.start_date {
        Some(d) => match parse_date(d) {
            Ok(x) => Some(x),
            Err(e) => {
                ck.report(&sim_p.key("start_date"), e.to_string());
                None
            }
        },
        None => Some(Date::constant(2026, 1, 5)),
    };
    let reference = match &s.utc_offset {
        Some(o) => match parse_utc_offset(o) {
            Ok(x) => Some(x),
            Err(e) => {
                ck.report(&sim_p.key("utc_offset"), e.to_string());
                None
            }
        },
        None => Some(SimDuration::ZERO),
    };
    let mpv = s.metres_per_vehicle.unwrap_or(33.0);
    if !(mpv.is_finite() && mpv > 0.0 && mpv <= MAX_METRES_PER_VEHICLE) {
        ck.report(
            &sim_p.key("metres_per_vehicle"),
            format!(
                "must be a number > 0 and at most {MAX_METRES_PER_VEHICLE} (got {})",
                num(mpv)
            ),
        );
    }
    let series_step = match &s.series_step {
        Some(text) => match parse_duration(text) {
            Ok(d) if d >= MIN_SERIES_STEP => Some(d),
            Ok(_) => {
                ck.report(
                    &sim_p.key("series_step"),
                    format!(
                        "must be at least 1min (got \"{text}\"): a finer series says nothing more about \
                         queues that change by the minute, and costs a row per stage per step"
                    ),
                );
                None
            }
            Err(e) => {
                ck.report(&sim_p.key("series_step"), e.to_string());
                None
            }
        },
        None => Some(DEFAULT_SERIES_STEP),
    };
    Simulation {
        days,
        warmup_days,
        seed,
        replications,
        start_date,
        metres_per_vehicle: mpv,
        series_step,
        series_given: s.series_step.is_some(),
        clock: Clock {
            start_date: start_date.unwrap_or(Date::constant(2026, 1, 5)),
            reference: reference.unwrap_or(SimDuration::ZERO),
        },
    }
}

/// The named calendars of `[calendars]` by id, `None` for those with errors.
fn calendars(ck: &mut Checker, raw: &BTreeMap<String, RawCalendar>) -> Calendars {
    let mut calendars = Calendars::new();
    for (id, c) in raw {
        let p = FieldPath::default().key("calendars").key(id);
        calendars.insert(id.clone(), calendar_parts(ck, &p, c));
    }
    calendars
}

/// The cargo classes: those first named by flows (in flow order), then the other declared
/// ones; their ids (a class's index is its position) and specs. Once `[classes]` declares any,
/// a flow's class must be one of them or the default "general": a typo would otherwise make a
/// class of its own and silently lose its priority and `max_wait`.
fn classes(ck: &mut Checker, raw: &RawScenario) -> (Vec<String>, Vec<ClassSpec>) {
    let mut class_ids: Vec<String> = Vec::new();
    if !raw.classes.is_empty() {
        undeclared_classes(ck, raw);
    }
    for f in &raw.flows {
        let c = f.class.clone().unwrap_or_else(|| "general".to_string());
        if !class_ids.contains(&c) {
            class_ids.push(c);
        }
    }
    for id in raw.classes.keys() {
        if !class_ids.contains(id) {
            class_ids.push(id.clone());
        }
    }
    check::class_count(ck, class_ids.len());
    let mut classes: Vec<ClassSpec> = class_ids
        .iter()
        .map(|id| ClassSpec {
            id: id.clone(),
            max_wait: None,
        })
        .collect();
    for (id, c) in &raw.classes {
        let p = FieldPath::default().key("classes").key(id);
        if let Some(mw) = &c.max_wait
            && let Some(d) = duration(ck, &p.key("max_wait"), mw)
        {
            if d.as_ms() <= 0 {
                ck.report(&p.key("max_wait"), "must be greater than zero");
            }
            // Every declared class is in `class_ids`.
            if let Some(i) = class_ids.iter().position(|x| x == id) {
                classes[i].max_wait = Some(d);
            }
        }
    }
    (class_ids, classes)
}

/// Reports each flow whose class is neither declared in `[classes]` nor "general".
fn undeclared_classes(ck: &mut Checker, raw: &RawScenario) {
    let declared = || raw.classes.keys().map(String::as_str);
    for (fi, f) in raw.flows.iter().enumerate() {
        let Some(c) = f.class.as_deref() else {
            continue;
        };
        if c == "general" || raw.classes.contains_key(c) {
            continue;
        }
        let hint = closest(c, declared())
            .map(|m| format!("; did you mean \"{m}\"?"))
            .unwrap_or_default();
        ck.report(
            &FieldPath::default().key("flows").index(fi).key("class"),
            format!(
                "class \"{c}\" is not declared in [classes] (declared: {}; \"general\" needs no declaration){hint}",
                declared().collect::<Vec<_>>().join(", ")
            ),
        );
    }
}

/// Claims node id `id` (at `p`) for node `node`: not empty, not taken.
fn node_id(ck: &mut Checker, p: &FieldPath, id: &str, node: u32, net: &mut Network) {
    if id.trim().is_empty() {
        ck.report(&p.key("id"), "must not be empty");
    }
    if net.cp_index.insert(id.to_string(), node).is_some() {
        ck.report(
            &p.key("id"),
            format!(
                "duplicate id \"{id}\" (checkpoints, terminals and links share one set of ids)"
            ),
        );
    }
}

/// Checkpoints, then terminals: nodes made of a chain of stages.
fn stage_nodes(ck: &mut Checker, raw: &RawScenario, env: &Env, net: &mut Network) {
    let stage_nodes = raw
        .checkpoints
        .iter()
        .enumerate()
        .map(|(i, c)| {
            (
                "checkpoints",
                i,
                &c.id,
                &c.name,
                &c.stages,
                NodeKind::Checkpoint,
                &c.opens,
            )
        })
        .chain(raw.terminals.iter().enumerate().map(|(i, t)| {
            (
                "terminals",
                i,
                &t.id,
                &t.name,
                &t.stages,
                NodeKind::Terminal,
                &None,
            )
        }));
    for (section, ci, id, name, raw_stages, kind, opens) in stage_nodes {
        let cp_p = FieldPath::default().key(section).index(ci);
        let opens = parse_opt(ck, &cp_p.key("opens"), opens, parse_date)
            .ok()
            .flatten()
            .map(|d| days_between(env.clock.start_date, d).unwrap_or(0));
        let node = net.checkpoints.len() as u32;
        node_id(ck, &cp_p, id, node, net);
        if raw_stages.is_empty() {
            ck.report(
                &cp_p.key("stages"),
                format!("needs at least one stage ([[{section}.stages]])"),
            );
        }
        check::stage_count(ck, &cp_p, raw_stages.len());
        let indices = node_stages(ck, &cp_p, id, raw_stages, node, opens, env, net);
        check::one_tracks_stage(ck, &cp_p, id, raw_stages);
        net.checkpoints.push(CheckpointSpec {
            id: id.clone(),
            name: name.clone().unwrap_or_else(|| id.clone()),
            kind,
            stages: indices,
            transfer_to: None,
            storage: None,
        });
    }
}

/// The stages of node `node` (id `id`, at `cp_p`) that convert, added to `net`; their indices.
/// A node opening on day `opens` has every stage closed before its local midnight.
#[allow(clippy::too_many_arguments)]
fn node_stages(
    ck: &mut Checker,
    cp_p: &FieldPath,
    id: &str,
    raw_stages: &[RawStage],
    node: u32,
    opens: Option<i64>,
    env: &Env,
    net: &mut Network,
) -> Vec<u32> {
    let mut stage_ids = HashSet::new();
    let mut indices = Vec::new();
    for (si, st) in raw_stages.iter().enumerate() {
        let p = cp_p.key("stages").index(si);
        if st.id.trim().is_empty() {
            ck.report(&p.key("id"), "must not be empty");
        }
        if !stage_ids.insert(st.id.clone()) {
            ck.report(
                &p.key("id"),
                format!("duplicate stage id \"{}\" in \"{id}\"", st.id),
            );
        }
        if let Some(mut spec) = build_stage(
            ck,
            &p,
            st,
            node,
            env.clock,
            env.calendars,
            env.class_index,
            env.n_classes,
        ) {
            if let Some(day) = opens {
                let at = spec.calendar.local_day_start(day);
                spec.calendar = spec.calendar.opening_at(at);
            }
            indices.push(net.stages.len() as u32);
            net.stages.push(spec);
        }
    }
    indices
}

/// Links: nodes of one stage each. An invalid link still takes its node index, to keep the
/// indices aligned with the id map.
fn links(ck: &mut Checker, raw: &RawScenario, env: &Env, net: &mut Network) {
    for (li, l) in raw.links.iter().enumerate() {
        let p = FieldPath::default().key("links").index(li);
        let node = net.checkpoints.len() as u32;
        node_id(ck, &p, &l.id, node, net);
        if let Some(spec) = build_link(ck, &p, l, node, env.clock, env.calendars, env.n_classes) {
            net.checkpoints.push(CheckpointSpec {
                id: l.id.clone(),
                name: l.name.clone().unwrap_or_else(|| l.id.clone()),
                kind: NodeKind::Link,
                stages: vec![net.stages.len() as u32],
                transfer_to: None,
                storage: None,
            });
            net.stages.push(spec);
        } else {
            net.checkpoints.push(CheckpointSpec {
                id: l.id.clone(),
                name: l.id.clone(),
                kind: NodeKind::Link,
                stages: vec![],
                transfer_to: None,
                storage: None,
            });
        }
    }
}

/// The scenario's flows that convert (with their route choices still apart), and every flow
/// id by its position in `[[flows]]`.
fn flows(
    ck: &mut Checker,
    raw: &RawScenario,
    net: &Network,
    class_index: &HashMap<&str, u16>,
    sim: &Simulation,
) -> (Vec<BuiltFlow>, HashMap<String, u32>) {
    let link_modes: HashMap<&str, &str> = raw
        .links
        .iter()
        .map(|l| (l.id.as_str(), l.mode.as_str()))
        .collect();
    let mut flows = Vec::new();
    let mut flow_index: HashMap<String, u32> = HashMap::new();
    for (fi, f) in raw.flows.iter().enumerate() {
        let p = FieldPath::default().key("flows").index(fi);
        if f.id.trim().is_empty() {
            ck.report(&p.key("id"), "must not be empty");
        }
        if flow_index.insert(f.id.clone(), fi as u32).is_some() {
            ck.report(&p.key("id"), format!("duplicate flow id \"{}\"", f.id));
        }
        if let Some(flow) = build_flow(
            ck,
            &p,
            f,
            &link_modes,
            &net.cp_index,
            class_index,
            &net.stages,
            &net.checkpoints,
            sim.clock.start_date,
            sim.days.unwrap_or(1),
        ) {
            flows.push(flow);
        }
    }
    (flows, flow_index)
}

/// The flows with their route choices in place. Alternative routes run as flows of their own,
/// after the scenario's flows (whose indices the terminals refer to); their ids join
/// `flow_index`.
fn route_choices(
    ck: &mut Checker,
    raw: &RawScenario,
    built: Vec<BuiltFlow>,
    flow_index: &mut HashMap<String, u32>,
) -> Vec<FlowSpec> {
    let mut alt_flows: Vec<FlowSpec> = Vec::new();
    let mut flows: Vec<FlowSpec> = built
        .into_iter()
        .enumerate()
        .map(|(fi, (mut flow, choice))| {
            if let Some((mut ch, children)) = choice {
                for (ai, (child, extra)) in children.into_iter().enumerate() {
                    let taken = flow_index
                        .insert(child.id.clone(), (raw.flows.len() + alt_flows.len()) as u32);
                    if taken.is_some() {
                        ck.report(
                            &FieldPath::default()
                                .key("flows")
                                .index(fi)
                                .key("choice")
                                .key("alternatives")
                                .index(ai),
                            format!(
                                "flow id \"{}\" is taken: give the alternative another `id`",
                                child.id
                            ),
                        );
                    }
                    ch.alternatives.push(Alternative {
                        flow: (raw.flows.len() + alt_flows.len()) as u32,
                        extra_travel: extra,
                    });
                    alt_flows.push(child);
                }
                flow.choice = Some(Box::new(ch));
            }
            flow
        })
        .collect();
    flows.extend(alt_flows);
    flows
}

/// Terminal transfers: each terminal's `transfer_to` resolved to the onward flow (whose
/// arrivals are "transfer"); the ids of the flows some terminal feeds.
fn transfers(
    ck: &mut Checker,
    raw: &RawScenario,
    flow_index: &HashMap<String, u32>,
    net: &mut Network,
) -> HashSet<String> {
    let mut fed: HashSet<String> = HashSet::new();
    // Flows fed by a terminal with storage, and by which terminal; every flow's feeders.
    let mut stored: HashMap<u32, usize> = HashMap::new();
    let mut feeders: HashMap<u32, Vec<usize>> = HashMap::new();
    for (ti, t) in raw.terminals.iter().enumerate() {
        let p = FieldPath::default().key("terminals").index(ti);
        let storage = terminal_storage(ck, &p, t);
        let Some(target) = &t.transfer_to else {
            if storage.is_some() {
                let key = if t.storage_containers.is_some() {
                    "storage_containers"
                } else {
                    "storage_tonnes"
                };
                ck.report(
                    &p.key(key),
                    "storage on a terminal without transfer_to: cargo only waits in a terminal's \
                     storage for the onward flow that `transfer_to` names",
                );
            }
            continue;
        };
        let tp = FieldPath::default()
            .key("terminals")
            .index(ti)
            .key("transfer_to");
        let Some(&fi) = flow_index.get(target) else {
            ck.report(&tp, format!("unknown flow \"{target}\""));
            continue;
        };
        // Alternative routes of a route choice are flows too, but never transfer targets.
        let is_transfer = raw
            .flows
            .get(fi as usize)
            .is_some_and(|f| matches!(f.arrivals, RawArrivals::Transfer {}));
        if !is_transfer {
            ck.report(
                &tp,
                format!("flow \"{target}\" must have arrivals = {{ process = \"transfer\" }} to take cargo from a terminal"),
            );
        }
        fed.insert(target.clone());
        feeders.entry(fi).or_default().push(ti);
        if storage.is_some()
            && let Some(other) = stored.insert(fi, ti)
        {
            ck.report(
                &tp,
                format!(
                    "flow \"{target}\" takes cargo from two terminals with storage (terminals[{other}] \
                     and this one); its vehicles could not tell which storage they leave"
                ),
            );
        }
        if let Some(&node) = net.cp_index.get(&t.id) {
            net.checkpoints[node as usize].transfer_to = Some(fi);
            net.checkpoints[node as usize].storage = storage;
        }
    }
    // An onward vehicle leaves the storage it was loaded from: with a second terminal feeding
    // the same flow, it could not tell whether it did.
    let mut mixed: Vec<(usize, usize)> = stored
        .iter()
        .filter_map(|(fi, &ti)| {
            let other = feeders.get(fi)?.iter().copied().find(|&o| o != ti)?;
            Some((ti, other))
        })
        .collect();
    mixed.sort_unstable();
    for (ti, other) in mixed {
        ck.report(
            &FieldPath::default()
                .key("terminals")
                .index(ti)
                .key("transfer_to"),
            format!(
                "this terminal has storage, and its onward flow also takes cargo from terminals[{other}]; \
                 an onward vehicle could not tell which storage it leaves: give each terminal its own onward flow"
            ),
        );
    }
    fed
}

/// A terminal's `storage_containers` and `storage_tonnes`, checked: positive.
fn terminal_storage(ck: &mut Checker, p: &FieldPath, t: &RawTerminal) -> Option<Storage> {
    let containers = t.storage_containers.and_then(|n| {
        int_in(
            ck,
            &p.key("storage_containers"),
            n,
            1,
            100_000_000,
            "storage_containers",
        )
        .map(|n| n as u32)
    });
    let tonnes = t.storage_tonnes.and_then(|w| {
        let ok = w.is_finite() && w > 0.0;
        if !ok {
            ck.report(
                &p.key("storage_tonnes"),
                format!("storage_tonnes must be a number > 0 (got {w})"),
            );
        }
        ok.then_some(w)
    });
    (containers.is_some() || tonnes.is_some()).then_some(Storage { containers, tonnes })
}

#[cfg(test)]
mod tests {
    use crate::scenario::problems_of;

    #[test]
    fn node_and_flow_ids_are_unique() {
        let got = problems_of(
            r#"
[[checkpoints]]
id = "gate"

[[checkpoints.stages]]
id = "booth"
lanes = 1
service = { dist = "deterministic", value = "5min" }

[[links]]
id = "gate"
mode = "road"
travel = "1h"

[[flows]]
id = "f"
mode = "truck"
route = ["gate"]
arrivals = { process = "poisson", rate = "1/h" }

[[flows]]
id = "f"
mode = "truck"
route = ["gate"]
arrivals = { process = "poisson", rate = "1/h" }
"#,
        );
        let want = [
            r#"t.toml:14:6: links[0].id: duplicate id "gate" (checkpoints, terminals and links share one set of ids)"#,
            r#"t.toml:25:6: flows[1].id: duplicate flow id "f""#,
        ];
        assert_eq!(got, want);
    }
}
