//! One module per command.
pub mod batch;
pub mod batch_input;
pub mod decode;
pub mod demo;
pub mod fields;
pub mod issue;
pub mod keys;
pub mod second_level;
pub mod status;
pub mod trust;
pub mod verify;
pub mod web;
