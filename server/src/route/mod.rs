//! Lua-like route patterns and the route table.
