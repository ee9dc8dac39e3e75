//! Typed indices of the run: a stage, flow, vehicle, checkpoint (route node), cargo class or lane
//! group is named by a `#[repr(transparent)]` newtype over the integer the run stores, so one
//! cannot be passed for another. [`IdVec`] is a `Vec` indexed by one kind of id; the model's own
//! `Vec`s of specs are indexed by the matching id too.
//!
//! Zero cost: each id is its integer, indexing is the `Vec`'s own bounds-checked indexing.

use std::fmt;
use std::marker::PhantomData;
use std::ops::{Index, IndexMut};

use crate::model::spec::{CheckpointSpec, ClassSpec, FlowSpec, LaneGroup, StageSpec};

/// An index type: converts to and from a `usize` position.
pub(crate) trait Id: Copy {
    /// The position it names.
    fn index(self) -> usize;
    /// The id of position `i` (which fits the id's integer: the model's sizes are validated).
    fn from_index(i: usize) -> Self;
}

macro_rules! ids {
    ($($(#[$doc:meta])* $name:ident($int:ty) $label:literal;)*) => {$(
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
        #[repr(transparent)]
        pub(crate) struct $name(pub(crate) $int);

        impl Id for $name {
            #[inline(always)]
            fn index(self) -> usize {
                self.0 as usize
            }
            #[inline(always)]
            fn from_index(i: usize) -> Self {
                debug_assert!(i <= <$int>::MAX as usize);
                $name(i as $int)
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, concat!($label, " {}"), self.0)
            }
        }
    )*};
}

ids! {
    /// A stage: an index into `Model::stages`.
    StageId(u32) "stage";
    /// A flow: an index into `Model::flows`.
    FlowId(u32) "flow";
    /// A vehicle in the system: an index into the run's vehicle arena (reused once it leaves).
    VehicleId(u32) "vehicle";
    /// A route node (checkpoint, link or terminal): an index into `Model::checkpoints`.
    CheckpointId(u32) "checkpoint";
    /// A cargo class: an index into `Model::classes`.
    ClassId(u16) "class";
    /// A lane group of a stage: an index into `StageSpec::groups`.
    GroupId(u16) "lane group";
}

impl ClassId {
    /// The first class (the only one of a single-class model).
    pub(crate) const FIRST: ClassId = ClassId(0);
}

impl GroupId {
    /// The first lane group (the only one of a pooled stage or a stage open to all).
    pub(crate) const FIRST: GroupId = GroupId(0);
}

/// A `Vec` indexed by one kind of id.
#[derive(Clone, Debug)]
pub(crate) struct IdVec<I, T> {
    items: Vec<T>,
    id: PhantomData<fn(I) -> I>,
}

impl<I, T> Default for IdVec<I, T> {
    fn default() -> Self {
        Vec::new().into()
    }
}

impl<I, T> From<Vec<T>> for IdVec<I, T> {
    fn from(items: Vec<T>) -> Self {
        IdVec {
            items,
            id: PhantomData,
        }
    }
}

impl<I, T> FromIterator<T> for IdVec<I, T> {
    fn from_iter<It: IntoIterator<Item = T>>(iter: It) -> Self {
        Vec::from_iter(iter).into()
    }
}

impl<I: Id, T> IdVec<I, T> {
    /// Number of elements.
    #[inline]
    pub(crate) fn len(&self) -> usize {
        self.items.len()
    }

    /// The element of id `i`, if there is one.
    #[inline]
    pub(crate) fn get(&self, i: I) -> Option<&T> {
        self.items.get(i.index())
    }

    /// Appends `item` and returns its id.
    #[inline]
    pub(crate) fn push(&mut self, item: T) -> I {
        self.items.push(item);
        I::from_index(self.items.len() - 1)
    }

    /// The elements in id order.
    #[inline]
    pub(crate) fn iter(&self) -> std::slice::Iter<'_, T> {
        self.items.iter()
    }

    /// The elements in id order, mutably.
    #[inline]
    pub(crate) fn iter_mut(&mut self) -> std::slice::IterMut<'_, T> {
        self.items.iter_mut()
    }

    /// The ids and elements, in id order.
    pub(crate) fn iter_enumerated(&self) -> impl Iterator<Item = (I, &T)> {
        self.items
            .iter()
            .enumerate()
            .map(|(i, x)| (I::from_index(i), x))
    }

    /// The elements as a plain `Vec`, in id order.
    pub(crate) fn into_vec(self) -> Vec<T> {
        self.items
    }
}

impl<'a, I, T> IntoIterator for &'a IdVec<I, T> {
    type Item = &'a T;
    type IntoIter = std::slice::Iter<'a, T>;
    fn into_iter(self) -> Self::IntoIter {
        self.items.iter()
    }
}

impl<'a, I, T> IntoIterator for &'a mut IdVec<I, T> {
    type Item = &'a mut T;
    type IntoIter = std::slice::IterMut<'a, T>;
    fn into_iter(self) -> Self::IntoIter {
        self.items.iter_mut()
    }
}

impl<I: Id, T> Index<I> for IdVec<I, T> {
    type Output = T;
    #[inline(always)]
    fn index(&self, i: I) -> &T {
        &self.items[i.index()]
    }
}

impl<I: Id, T> IndexMut<I> for IdVec<I, T> {
    #[inline(always)]
    fn index_mut(&mut self, i: I) -> &mut T {
        &mut self.items[i.index()]
    }
}

/// The model's `Vec`s of specs, indexed by the run's ids (they keep their `usize` indexing).
macro_rules! spec_index {
    ($($spec:ty => $id:ty;)*) => {$(
        impl Index<$id> for Vec<$spec> {
            type Output = $spec;
            #[inline(always)]
            fn index(&self, i: $id) -> &$spec {
                &self.as_slice()[i.index()]
            }
        }
    )*};
}

spec_index! {
    StageSpec => StageId;
    FlowSpec => FlowId;
    CheckpointSpec => CheckpointId;
    ClassSpec => ClassId;
    LaneGroup => GroupId;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_their_integers_and_index_their_vec() {
        assert_eq!(size_of::<StageId>(), 4);
        assert_eq!(size_of::<ClassId>(), 2);
        let mut v: IdVec<StageId, &str> = IdVec::default();
        let a = v.push("a");
        let b = v.push("b");
        assert_eq!((a, b), (StageId(0), StageId(1)));
        v[b] = "c";
        assert_eq!((v[a], v[b], v.len()), ("a", "c", 2));
        let ids: Vec<StageId> = v.iter_enumerated().map(|(i, _)| i).collect();
        assert_eq!(ids, vec![a, b]);
        assert_eq!(StageId(3).to_string(), "stage 3");
        assert_eq!(GroupId(1).to_string(), "lane group 1");
    }
}
