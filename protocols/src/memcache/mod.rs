//! The memcache text and meta protocol (being written).
