//! One module per screen.

pub mod alerts;
pub mod backup;
pub mod goods;
pub mod home;
pub mod journal;
pub mod login;
pub mod objects;
pub mod operations;
pub mod partners;
pub mod payment_types;
pub mod price_groups;
pub mod shop_jobs;
pub mod shop_orders;
pub mod shop_panel;
pub mod shop_settings;
pub mod shops;
pub mod stock;
pub mod two_factor;
pub mod users;
