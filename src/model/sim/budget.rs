//! How many vehicles one replication may hold at once: a memory budget, so that a scenario whose
//! queues grow without bound stops with a message (an overloaded scenario is a finding) instead
//! of running the machine out of memory.

use std::mem::size_of;

use crate::engine::EventQueue;
use crate::time::SimTime;

use super::ids::{Id, StageId};
use super::vehicle::Vehicle;
use super::{Ev, Sim, SimError};

/// Memory one vehicle in the system may take \[bytes\]: its slot (twice, for the growth of the
/// vector that holds them), its place in a queue and in the free list.
const BYTES_PER_VEHICLE: u64 = 2 * size_of::<Vehicle>() as u64 + 32;

/// Memory assumed when the machine's cannot be read \[bytes\].
const ASSUMED_MEMORY: u64 = 4 << 30;

/// The default of [`crate::model::Model::max_in_system`]: a quarter of the memory this process
/// may use (the smaller of the memory available and its address-space limit, where the system
/// tells them; 4 GiB otherwise), shared by as many replications as there are cores, at
/// [`BYTES_PER_VEHICLE`] a vehicle. At least 100,000.
pub fn default_vehicle_budget() -> u64 {
    let memory = available_memory().unwrap_or(ASSUMED_MEMORY);
    let limit = address_space_limit().unwrap_or(u64::MAX);
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get() as u64);
    (memory.min(limit) / 4 / cores / BYTES_PER_VEHICLE).max(100_000)
}

/// `MemAvailable` of `/proc/meminfo` \[bytes\], where there is one.
fn available_memory() -> Option<u64> {
    mem_available(&std::fs::read_to_string("/proc/meminfo").ok()?)
}

/// The soft "Max address space" of `/proc/self/limits` \[bytes\], unless unlimited.
fn address_space_limit() -> Option<u64> {
    max_address_space(&std::fs::read_to_string("/proc/self/limits").ok()?)
}

/// `MemAvailable:  123 kB` in the text of `/proc/meminfo`, in bytes.
fn mem_available(meminfo: &str) -> Option<u64> {
    let line = meminfo.lines().find(|l| l.starts_with("MemAvailable:"))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    kib.checked_mul(1024)
}

/// The soft limit of `Max address space` in the text of `/proc/self/limits` (`None` if
/// unlimited).
fn max_address_space(limits: &str) -> Option<u64> {
    let key = "Max address space";
    let line = limits.lines().find(|l| l.starts_with(key))?;
    line[key.len()..].split_whitespace().next()?.parse().ok()
}

impl Sim<'_> {
    /// True if one more vehicle would take the replication over its budget; then the run stops
    /// with [`SimError::TooManyVehicles`], naming the longest queue.
    #[cold]
    #[inline(never)]
    pub(super) fn over_budget(&mut self, q: &mut EventQueue<Ev>, t: SimTime) -> bool {
        let held = self.vehicles.len() - self.free_ids.len();
        if (held as u64) < self.m.max_in_system {
            return false;
        }
        let (longest, waiting) = (0..self.stages.len())
            .map(|i| (i, self.stages[StageId::from_index(i)].queue.waiting()))
            .max_by_key(|&(i, w)| (w, std::cmp::Reverse(i)))
            .unwrap_or((0, 0));
        let stage = self.m.stages.get(longest).map_or_else(String::new, |s| {
            format!("{}/{}", self.m.checkpoints[s.checkpoint as usize].id, s.id)
        });
        if self.error.is_none() {
            self.error = Some(SimError::TooManyVehicles {
                at: t,
                vehicles: held as u64,
                stage,
                waiting: waiting as u64,
            });
        }
        q.halt();
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn memory_and_limits_are_read_from_the_system_files() {
        let meminfo = "MemTotal:       24576000 kB\nMemAvailable:   20000000 kB\n";
        assert_eq!(mem_available(meminfo), Some(20_000_000 * 1024));
        assert_eq!(mem_available("MemTotal: 1 kB\n"), None);
        let limits = "Limit                     Soft Limit           Hard Limit           Units\n\
                      Max address space         4000000000           unlimited            bytes\n";
        assert_eq!(max_address_space(limits), Some(4_000_000_000));
        let unlimited =
            "Max address space         unlimited            unlimited            bytes\n";
        assert_eq!(max_address_space(unlimited), None);
    }

    #[test]
    fn a_waiting_vehicle_is_budgeted_at_its_real_size() {
        // The README quotes a 120 B vehicle (about 270 B budgeted); a bigger one must update it.
        assert!(size_of::<Vehicle>() <= 72, "{} B", size_of::<Vehicle>());
        assert!(default_vehicle_budget() >= 100_000);
    }
}
