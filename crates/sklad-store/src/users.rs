//! Users, passwords (argon2) and firm memberships with the seat limit.

use sklad_domain::model::{Membership, Role, User, UserInput};
use sklad_domain::Id;

use crate::{Member, Store, StoreResult};

impl Store {
    /// Creates a user; the login is unique over all firms (`login_duplicate`).
    pub async fn create_user(&self, input: &UserInput) -> StoreResult<User> {
        let _ = input;
        todo!()
    }

    /// The user.
    pub async fn user(&self, user_id: Id) -> StoreResult<User> {
        let _ = user_id;
        todo!()
    }

    /// The user with this login (case-insensitive).
    pub async fn user_by_login(&self, login: &str) -> StoreResult<User> {
        let _ = login;
        todo!()
    }

    /// The user when login and password match, else `None` (same answer for an
    /// unknown login and a wrong password).
    pub async fn verify_password(&self, login: &str, password: &str) -> StoreResult<Option<User>> {
        let _ = (login, password);
        todo!()
    }

    /// Sets a new password (8–200 characters).
    pub async fn set_password(&self, user_id: Id, password: &str) -> StoreResult<()> {
        let _ = (user_id, password);
        todo!()
    }

    /// Adds the user to the firm with `role`, or changes the role of a member. A firm
    /// cannot have more members than seats (`seats_exceeded`).
    pub async fn add_member(&self, firm_id: Id, user_id: Id, role: Role) -> StoreResult<()> {
        let _ = (firm_id, user_id, role);
        todo!()
    }

    /// Removes the user from the firm (its tokens and sessions of that firm go too).
    pub async fn remove_member(&self, firm_id: Id, user_id: Id) -> StoreResult<()> {
        let _ = (firm_id, user_id);
        todo!()
    }

    /// The firms the user belongs to, by firm name.
    pub async fn memberships(&self, user_id: Id) -> StoreResult<Vec<Membership>> {
        let _ = user_id;
        todo!()
    }

    /// The members of the firm, by login.
    pub async fn members(&self, firm_id: Id) -> StoreResult<Vec<Member>> {
        let _ = firm_id;
        todo!()
    }
}
