// kshake/detail/status_names.hpp — the name of each kshake::status constant, as ntstatus.h spells
// it, for kshake::status_name (kshake/status.hpp).
// SPDX-License-Identifier: MIT
//
// Part of kshake/status.hpp, which includes it after the constants and before status_name; not a
// header to include on its own.
#pragma once

#include "freestanding.hpp"

namespace kshake::detail {

struct status_entry {
    ntstatus value;
    const char* name;
};

inline constexpr status_entry status_names[] = {
    {status::success, "STATUS_SUCCESS"},
    {status::pending, "STATUS_PENDING"},
    {status::buffer_overflow, "STATUS_BUFFER_OVERFLOW"},
    {status::unsuccessful, "STATUS_UNSUCCESSFUL"},
    {status::not_implemented, "STATUS_NOT_IMPLEMENTED"},
    {status::invalid_parameter, "STATUS_INVALID_PARAMETER"},
    {status::invalid_device_request, "STATUS_INVALID_DEVICE_REQUEST"},
    {status::buffer_too_small, "STATUS_BUFFER_TOO_SMALL"},
    {status::revision_mismatch, "STATUS_REVISION_MISMATCH"},
    {status::insufficient_resources, "STATUS_INSUFFICIENT_RESOURCES"},
    {status::device_not_connected, "STATUS_DEVICE_NOT_CONNECTED"},
    {status::not_supported, "STATUS_NOT_SUPPORTED"},
    {status::cancelled, "STATUS_CANCELLED"},
    {status::invalid_device_state, "STATUS_INVALID_DEVICE_STATE"},
    {status::device_protocol_error, "STATUS_DEVICE_PROTOCOL_ERROR"},
    {status::invalid_buffer_size, "STATUS_INVALID_BUFFER_SIZE"},
    {status::not_found, "STATUS_NOT_FOUND"},
};

} // namespace kshake::detail
