//! Crossings: a border crossing as a planner names it — one direction of "Khorgos / Nur Zholy
//! road" or "Dostyk–Alashankou rail" — made of the route nodes a vehicle passes there (the
//! checkpoint of a road crossing; the stations, the link between them and the terminals of a rail
//! crossing), in the order vehicles pass them.
//!
//! Which legs of a flow's route lie in which crossing ([`route_runs`]): a stretch of the route
//! counts for a crossing only where the route passes all the crossing's nodes, first to last, in
//! its order (a *complete pass*). A route that touches a crossing's node anywhere else — a node
//! passed alone, out of order, or a crossing left before its last node — is refused
//! ([`Partial`]), unless that leg lies in a complete pass of another crossing: a node shared by
//! both directions (a rail link, a station both directions use) belongs to the direction whose
//! nodes the route passes whole. A complete pass that lies wholly inside a longer one is dropped;
//! one that overlaps another of the same length, or sticks out of a longer one, is ambiguous
//! ([`Ambiguity`]; the scenario refuses it).

use super::{Mode, Model};

/// A crossing: named nodes of routes, in the order vehicles pass them.
#[derive(Clone, Debug, PartialEq)]
pub struct CrossingSpec {
    /// Identifier ("khorgos-road-out").
    pub id: String,
    /// Display name ("Khorgos / Nur Zholy road").
    pub name: String,
    /// Direction label ("KZ→CN"), if given.
    pub direction: Option<String>,
    /// Node indices (checkpoints, links, terminals) in the order vehicles pass them.
    pub nodes: Vec<u32>,
}

/// A stretch of one flow's route inside one crossing: legs `first..=last`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CrossingRun {
    /// Index of the crossing in [`Model::crossings`].
    pub crossing: u32,
    /// First leg of the route in the crossing.
    pub first: u16,
    /// Last leg of the route in the crossing (its vehicles' crossing time ends when they leave it).
    pub last: u16,
}

/// Two crossings that claim the same legs of a route equally.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Ambiguity {
    /// The crossing taken.
    pub kept: u32,
    /// The crossing that claims some of the same legs.
    pub other: u32,
    /// A leg both claim.
    pub leg: u16,
}

/// A route leg on a node of a crossing that no complete pass of a crossing covers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Partial {
    /// The first crossing (declaration order) that lists the leg's node.
    pub crossing: u32,
    /// The leg.
    pub leg: u16,
}

/// Why a route's stretches in the crossings are refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RouteConflict {
    /// Two crossings claim the same legs alike.
    Ambiguous(Ambiguity),
    /// The route passes a crossing's node outside a complete pass of a crossing.
    Partial(Partial),
}

/// The stretches of `route` that lie in `crossings` (in route order), or the first conflict.
pub fn route_runs(
    crossings: &[CrossingSpec],
    route: &[u32],
) -> Result<Vec<CrossingRun>, RouteConflict> {
    // Complete passes: (length, crossing, first leg).
    let mut cands: Vec<(usize, u32, usize)> = Vec::new();
    for (c, cr) in crossings.iter().enumerate() {
        let n = cr.nodes.len();
        if n == 0 || n > route.len() {
            continue;
        }
        for i in 0..=route.len() - n {
            if route[i..i + n] == cr.nodes[..] {
                cands.push((n, c as u32, i));
            }
        }
    }
    cands.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)).then(a.2.cmp(&b.2)));
    let mut taken: Vec<(usize, usize, u32)> = Vec::new(); // (first, last, crossing)
    for (len, c, i) in cands {
        let last = i + len - 1;
        let overlap = taken.iter().find(|&&(a, b, _)| i <= b && a <= last);
        match overlap {
            None => taken.push((i, last, c)),
            // Wholly inside a longer stretch: that stretch's crossing has it.
            Some(&(a, b, _)) if a <= i && last <= b && b - a + 1 > len => {}
            Some(&(a, b, kept)) => {
                return Err(RouteConflict::Ambiguous(Ambiguity {
                    kept,
                    other: c,
                    leg: i.max(a).min(b.min(last)) as u16,
                }));
            }
        }
    }
    taken.sort_unstable();
    // Every other leg on a crossing's node passes that crossing partly or out of order.
    for (leg, n) in route.iter().enumerate() {
        if taken.iter().any(|&(a, b, _)| a <= leg && leg <= b) {
            continue;
        }
        if let Some(c) = crossings.iter().position(|cr| cr.nodes.contains(n)) {
            return Err(RouteConflict::Partial(Partial {
                crossing: c as u32,
                leg: leg as u16,
            }));
        }
    }
    Ok(taken
        .into_iter()
        .map(|(first, last, crossing)| CrossingRun {
            crossing,
            first: first as u16,
            last: last as u16,
        })
        .collect())
}

/// One row of the crossing KPIs: a crossing and a mode of the flows that pass it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CrossingSlot {
    /// Index of the crossing in [`Model::crossings`].
    pub crossing: u32,
    /// The mode of its vehicles.
    pub mode: Mode,
}

impl Model {
    /// Per flow, the stretches of its route inside crossings (a route in conflict with the
    /// crossings, refused by the scenario, has none).
    pub fn crossing_runs(&self) -> Vec<Vec<CrossingRun>> {
        self.flows
            .iter()
            .map(|f| route_runs(&self.crossings, &f.route).unwrap_or_default())
            .collect()
    }

    /// The crossing × mode rows of the crossing KPIs, by crossing (declaration order), then mode
    /// (truck, train, barge): every pair some flow's route passes.
    pub fn crossing_slots(&self) -> Vec<CrossingSlot> {
        let runs = self.crossing_runs();
        let mut out = Vec::new();
        for c in 0..self.crossings.len() as u32 {
            for mode in [Mode::Truck, Mode::Train, Mode::Barge] {
                let passes = self
                    .flows
                    .iter()
                    .zip(&runs)
                    .any(|(f, r)| f.mode == mode && r.iter().any(|x| x.crossing == c));
                if passes {
                    out.push(CrossingSlot { crossing: c, mode });
                }
            }
        }
        out
    }

    /// The id of a crossing × mode row: "crossing-id/truck".
    pub fn crossing_slot_id(&self, s: CrossingSlot) -> String {
        format!(
            "{}/{}",
            self.crossings[s.crossing as usize].id,
            match s.mode {
                Mode::Truck => "truck",
                Mode::Train => "train",
                Mode::Barge => "barge",
            }
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cr(nodes: &[u32]) -> CrossingSpec {
        CrossingSpec {
            id: String::new(),
            name: String::new(),
            direction: None,
            nodes: nodes.to_vec(),
        }
    }

    fn run(crossing: u32, first: u16, last: u16) -> CrossingRun {
        CrossingRun {
            crossing,
            first,
            last,
        }
    }

    #[test]
    fn a_shared_link_belongs_to_the_direction_the_route_follows() {
        // Westbound: station A (0), link L (1), station D (2); eastbound: export E (3), link L.
        let cs = [cr(&[0, 1, 2]), cr(&[3, 1])];
        assert_eq!(route_runs(&cs, &[0, 1, 2, 9]), Ok(vec![run(0, 0, 2)]));
        assert_eq!(route_runs(&cs, &[3, 1]), Ok(vec![run(1, 0, 1)]));
        // Khorgos: approach (5) and station (6) both ways, in opposite orders.
        let cs = [cr(&[5, 6]), cr(&[6, 5])];
        assert_eq!(route_runs(&cs, &[5, 6, 7]), Ok(vec![run(0, 0, 1)]));
        assert_eq!(route_runs(&cs, &[8, 6, 5]), Ok(vec![run(1, 1, 2)]));
    }

    #[test]
    fn routes_outside_crossings_or_through_two_in_turn() {
        let cs = [cr(&[0]), cr(&[2, 3])];
        assert_eq!(route_runs(&cs, &[9]), Ok(vec![]));
        assert_eq!(
            route_runs(&cs, &[0, 1, 2, 3]),
            Ok(vec![run(0, 0, 0), run(1, 2, 3)])
        );
        // Out and back through the same crossing: two stretches.
        assert_eq!(
            route_runs(&[cr(&[0])], &[0, 1, 0]),
            Ok(vec![run(0, 0, 0), run(0, 2, 2)])
        );
    }

    #[test]
    fn equal_claims_on_the_same_legs_are_ambiguous() {
        let cs = [cr(&[0, 1]), cr(&[1, 2])];
        assert_eq!(
            route_runs(&cs, &[0, 1, 2]),
            Err(RouteConflict::Ambiguous(Ambiguity {
                kept: 0,
                other: 1,
                leg: 1
            }))
        );
        // The same node alone in two crossings.
        assert!(route_runs(&[cr(&[4]), cr(&[4])], &[4]).is_err());
    }

    fn partial(crossing: u32, leg: u16) -> Result<Vec<CrossingRun>, RouteConflict> {
        Err(RouteConflict::Partial(Partial { crossing, leg }))
    }

    #[test]
    fn a_crossing_counts_only_where_the_route_passes_it_whole_and_in_order() {
        // Crossing a (0) → x (1).
        let cs = [cr(&[0, 1])];
        assert_eq!(route_runs(&cs, &[9, 0, 1, 8]), Ok(vec![run(0, 1, 2)]));
        // Reversed: x first, then a — neither leg is a pass of the crossing.
        assert_eq!(route_runs(&cs, &[1, 0]), partial(0, 0));
        // Only its first node, or only its last.
        assert_eq!(route_runs(&cs, &[0]), partial(0, 0));
        assert_eq!(route_runs(&cs, &[9, 1]), partial(0, 1));
        // Its nodes with another between them.
        assert_eq!(route_runs(&cs, &[0, 9, 1]), partial(0, 0));
        // A node a complete pass of another crossing claims is not partial: the shared link (1)
        // of the westbound crossing 0 → 1 → 2, passed whole, lies in eastbound 3 → 1 too.
        let cs = [cr(&[0, 1, 2]), cr(&[3, 1])];
        assert_eq!(route_runs(&cs, &[0, 1, 2]), Ok(vec![run(0, 0, 2)]));
        // But a route through the link alone passes neither whole.
        assert_eq!(route_runs(&cs, &[1, 2]), partial(0, 0));
    }
}
