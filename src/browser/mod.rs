//! The browser edge: thin adapters over web APIs. Nothing here holds policy; it carries data
//! between the page and the pure [`crate::core`].

pub mod clock;
pub mod instrument;
