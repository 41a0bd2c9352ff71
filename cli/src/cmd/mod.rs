//! One module per command.
pub mod decode;
pub mod demo;
pub mod issue;
pub mod keys;
pub mod status;
pub mod trust;
pub mod verify;
pub mod web;
