//! The editors that take the central panel: Vary (Region) / Edit / Retexture on the mask
//! canvas, and the Vtrix canvas edit with its placement rules.

pub mod canvas_edit;
pub mod placement;
pub mod region;
