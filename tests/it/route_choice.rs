//! Route choice between two crossings: vehicles take the crossing with the least expected time
//! (detour plus the queue they can see drained at the crossing's service rate), except a loyal
//! share that always keeps its own route; information is published every `info_every` and
//! arrives `info_delay` late.

use crate::common::*;
use borderflow::model::{Model, simulate};
use borderflow::scenario::{Overrides, parse};

/// Crossing "near" (`near_lanes` lanes) on the flow's own route, crossing "far" (10 lanes) 30
/// minutes' detour away; 1-hour services; 5 trucks an hour; `choice` extra lines.
fn two_crossings(near_lanes: u32, choice: &str) -> Model {
    model(&two_crossings_text(near_lanes, choice))
}

fn two_crossings_text(near_lanes: u32, choice: &str) -> String {
    format!(
        r#"
[simulation]
name = "choice"
days = 60
warmup_days = 5
seed = 3

[[checkpoints]]
id = "near"
[[checkpoints.stages]]
id = "gate"
lanes = {near_lanes}
service = {{ dist = "exponential", mean = "1h" }}

[[checkpoints]]
id = "far"
[[checkpoints.stages]]
id = "gate"
lanes = 10
service = {{ dist = "exponential", mean = "1h" }}

[[flows]]
id = "trucks"
mode = "truck"
route = ["near"]
arrivals = {{ process = "poisson", rate = "5/h" }}
[flows.choice]
alternatives = [{{ route = ["far"], extra_travel = "30min" }}]
{choice}
"#
    )
}

/// (vehicles that kept the own route, vehicles that took the alternative, near's mean queue,
/// near's largest queue).
fn split(m: &Model) -> (u64, u64, f64, i64) {
    let r = simulate(m, 0);
    assert_eq!(
        m.flows[1].id, "trucks@far",
        "the alternative runs as its own flow"
    );
    let near = &r.stages[0].levels.queue;
    (
        r.flows[0].arrivals,
        r.flows[1].arrivals,
        near.mean(m.horizon().as_ms()),
        near.max(),
    )
}

#[test]
fn drivers_leave_a_queue_once_the_detour_is_quicker() {
    // Near serves 2 trucks an hour against 5 arriving: alone it would queue without bound. Far
    // (10 lanes) never has a queue. A driver goes near while its queue drains in no more than
    // the 30-minute detour (ties keep the own route): queue ÷ 2/h <= 30 min, i.e. at most one
    // truck waiting when he decides. So near stays saturated (its 2/h is 40% of the trucks)
    // with one to two trucks waiting, and far takes the rest.
    let (own, alt, mean_q, max_q) = split(&two_crossings(2, "info_every = \"1min\""));
    let share = own as f64 / (own + alt) as f64;
    assert!(share > 0.36 && share <= 0.40, "near took {share:.3}");
    // Figures a minute old let a second driver in now and then: at most a few more.
    assert!(
        mean_q > 1.0 && mean_q < 2.0 && max_q <= 6,
        "near queue mean {mean_q:.2}, max {max_q}"
    );
}

#[test]
fn loyal_drivers_keep_their_route_whatever_the_queue() {
    let (own, alt, _, max_q) = split(&two_crossings(
        2,
        "info_every = \"1min\"\nloyal_share = 1.0",
    ));
    assert_eq!(alt, 0);
    assert!(own > 6_000);
    assert!(max_q > 1_000, "5/h against 2/h for 55 days: {max_q}");
    // A loyal share of 30 %: near gets at least that (1.5 trucks an hour of its 2 an hour).
    let (own, alt, _, _) = split(&two_crossings(
        2,
        "info_every = \"1min\"\nloyal_share = 0.3",
    ));
    let share = own as f64 / (own + alt) as f64;
    assert!(share > 0.3 && share < 0.45, "near took {share:.3}");
}

#[test]
fn late_information_makes_drivers_overshoot() {
    // Queue figures six hours old: drivers pile onto near while its published queue looks short.
    let fresh = split(&two_crossings(2, "info_every = \"1min\""));
    let stale = split(&two_crossings(
        2,
        "info_every = \"6h\"\ninfo_delay = \"6h\"",
    ));
    assert!(
        stale.3 > 4 * fresh.3,
        "max queue fresh {}, stale {}",
        fresh.3,
        stale.3
    );
    assert!(
        stale.2 > 5.0 * fresh.2,
        "mean queue fresh {}, stale {}",
        fresh.2,
        stale.2
    );
}

#[test]
fn more_lanes_at_one_crossing_draw_traffic_from_its_neighbour() {
    let (own2, alt2, _, _) = split(&two_crossings(2, "info_every = \"1min\""));
    let (own6, alt6, _, _) = split(&two_crossings(6, "info_every = \"1min\""));
    assert!(
        own6 as f64 / (own6 + alt6) as f64 > 2.0 * own2 as f64 / (own2 + alt2) as f64,
        "near's share with 2 lanes {own2}/{}, with 6 lanes {own6}/{}",
        own2 + alt2,
        own6 + alt6
    );
}

#[test]
fn choice_fields_are_checked() {
    let bad = |extra: &str, alt: &str| {
        let src = format!(
            r#"
[simulation]
name = "c"
days = 5

[[checkpoints]]
id = "a"
[[checkpoints.stages]]
id = "s"
lanes = 1
service = {{ dist = "exponential", mean = "1h" }}

[[flows]]
id = "f"
mode = "truck"
route = ["a"]
arrivals = {{ process = "poisson", rate = "1/h" }}
[flows.choice]
alternatives = [{alt}]
{extra}
"#
        );
        parse(&src, "c.toml", Overrides::default())
            .expect_err("must be rejected")
            .to_string()
    };
    let e = bad("", "{ route = [\"b\"] }");
    assert!(
        e.contains("flows[0].choice.alternatives[0].route[0]") && e.contains("unknown"),
        "{e}"
    );
    let e = bad("", "{ route = [\"a\"] }");
    assert!(e.contains("own route"), "{e}");
    let e = bad("loyal_share = 1.5", "{ route = [\"a\"], id = \"x\" }");
    assert!(e.contains("loyal_share"), "{e}");
    let e = bad("info_every = \"soon\"", "{ route = [\"a\"] }");
    assert!(e.contains("choice.info_every"), "{e}");
    let e = bad("", "{ route = [\"a\"], extra_travel = \"1h\", via = 2 }");
    assert!(e.contains("via"), "unknown field: {e}");
}

#[test]
fn the_detour_is_driven_and_hours_are_checked_for_the_arrival_time() {
    // Far is open 00:00-12:00 only and 2 hours away; near has 3 lanes for 5 trucks an hour. A
    // driver deciding at 10:30 would reach far at 12:30 and wait until midnight, so far is judged
    // by its hours at arrival: its trucks mostly arrive while it is open and wait about an hour
    // (a closure would cost up to 12 h), and every one of them drove the 2-hour detour.
    let m = model(
        &two_crossings_text(3, "info_every = \"1min\"")
            .replace("lanes = 10\n", "lanes = 10\nhours = \"00:00-12:00\"\n")
            .replace("extra_travel = \"30min\"", "extra_travel = \"2h\""),
    );
    let r = simulate(&m, 0);
    let far = &r.flows[1];
    assert!(far.served > 1_000, "far served {}", far.served);
    assert!(
        far.wait.mean() < 1.5 * 3_600_000.0,
        "far's trucks wait {:.2} h on average",
        far.wait.mean() / 3_600_000.0
    );
    assert!(
        far.time_in_system.min() >= 2 * 3_600_000,
        "the detour is driven"
    );
}

#[test]
fn a_terminal_cannot_hand_cargo_to_an_alternative_route() {
    let text = two_crossings_text(2, "")
        + r#"
[[terminals]]
id = "port"
transfer_to = "trucks@far"
[[terminals.stages]]
id = "berth"
lanes = 1
service = { dist = "exponential", mean = "1h" }
"#;
    let e = parse(&text, "t.toml", Overrides::default())
        .expect_err("not a transfer flow")
        .to_string();
    assert!(e.contains("transfer_to") && e.contains("trucks@far"), "{e}");
}
