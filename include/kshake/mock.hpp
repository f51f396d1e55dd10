// kshake::mock — user-mode AVStream pins for tests: connect, register a handshake callback,
// hand requests on as ks.sys does, inject faults, and log every exchange; and two trace hooks
// (kshake/trace.hpp) for tests and tools: one that records every event, one that prints it.
// Not for kernel code (it uses std::mutex, std::vector and <cstdio>).
// SPDX-License-Identifier: MIT
#pragma once

#include "handshake.hpp"
#include "status.hpp"
#include "trace.hpp"

#if KSHAKE_KERNEL_MODE
#error "kshake: mock.hpp is for user-mode tests; a driver includes kshake/avstream.hpp"
#endif

#include <cstdint>
#include <cstdio>
#include <cstring>
#include <mutex>
#include <vector>

namespace kshake::mock {

class pin;

// PFNKSPINHANDSHAKE with the mock's pin type: NTSTATUS (*)(PKSPIN, PKSHANDSHAKE, PKSHANDSHAKE).
using handshake_callback = ntstatus (*)(pin* pin, handshake* in, handshake* out) noexcept;

// KPROCESSOR_MODE of the requestor of an IOCTL.
enum class processor_mode { kernel, user };

// CTL_CODE(FILE_DEVICE_KS, 7, METHOD_NEITHER, FILE_ANY_ACCESS), ks.h.
inline constexpr std::uint32_t ioctl_ks_handshake = 0x002F001FU;

// What a misbehaving peer does to the next `times` handshakes it answers.
struct fault {
    enum class kind {
        none,
        force_status,           // answer `status` without running the callback; Out untouched
        answer_other_protocol,  // run the callback, then set Out.ProtocolId = `protocol`
        corrupt_response_size,  // run the callback, then write `value` into the response
                               // envelope's size field (the one In.Argument2 points to)
        corrupt_response_version, // ... into its version field
        redirect_response, // run the callback, then point Out.Argument1 elsewhere
        write_out_then_fail, // fill Out with plausible bytes, then return `status`
    };
    kind what{kind::none};
    ntstatus status{status::unsuccessful};
    guid protocol{};
    std::uint32_t value{0};
    std::uint32_t times{1};
};

struct log_entry {
    enum class path { connected, ioctl };
    path via;
    guid offered;
    ntstatus status;
    handshake out; // Out as the initiator saw it after the call
};

class pin {
  public:
    explicit pin(void* context = nullptr) noexcept : context_{context} {}
    pin(const pin&) = delete;
    pin& operator=(const pin&) = delete;
    ~pin() { disconnect(); }

    // KSPIN.Context.
    [[nodiscard]] void* context() const noexcept { return context_; }
    void set_context(void* context) noexcept { context_ = context; }

    // KsPinRegisterHandshakeCallback: the routine this pin runs when its peer (or an IOCTL)
    // hands it a handshake. nullptr removes it.
    void register_handshake_callback(handshake_callback callback) noexcept {
        const std::lock_guard lock{mutex_};
        callback_ = callback;
    }
    // Any other function: kshake's message rather than a failed conversion.
    template <class Callback>
        requires(!detail::is_convertible_v<Callback, handshake_callback>)
    void register_handshake_callback(Callback) noexcept {
        static_assert(detail::is_convertible_v<Callback, handshake_callback>,
                      "kshake: a mock::pin runs `ntstatus (kshake::mock::pin*, kshake::handshake*, "
                      "kshake::handshake*) noexcept`: register &Responder::callback<kshake::mock::"
                      "pin*> (callback<PKSPIN, KSHANDSHAKE, NTSTATUS> is a driver's, for "
                      "KsPinRegisterHandshakeCallback)");
    }

    // Connects two pins (disconnecting either from a previous peer). Connecting, disconnecting
    // and the peer lookup of a handshake may run on any threads at once: a handshake in flight
    // when its pins are disconnected completes with the peer it started with, so a pin must
    // outlive the handshakes that reach it.
    friend void connect(pin& a, pin& b) noexcept {
        const std::lock_guard lock{connections_mutex_};
        a.disconnect_locked();
        b.disconnect_locked();
        a.peer_ = &b;
        b.peer_ = &a;
    }
    void disconnect() noexcept {
        const std::lock_guard lock{connections_mutex_};
        disconnect_locked();
    }
    [[nodiscard]] pin* connected_pin() const noexcept {
        const std::lock_guard lock{connections_mutex_};
        return peer_;
    }

    // KsPinHandshake(this, In, Out): "the handshake request is passed on to the pin connected
    // to this object" (KsPinHandshake page), which runs its handshake callback with itself as
    // Pin. The platform leaves the status open when there is no peer or no callback; the
    // mock's choices are documented in docs/wire.md:
    //   no connected pin           -> STATUS_DEVICE_NOT_CONNECTED
    //   peer without a callback    -> STATUS_INVALID_DEVICE_REQUEST (what a PFNKSPINHANDSHAKE
    //                                 returns for a protocol it does not support)
    [[nodiscard]] ntstatus handshake(const kshake::handshake& in, kshake::handshake& out) noexcept {
        pin* const peer = connected_pin();
        kshake::handshake request = in; // PFNKSPINHANDSHAKE takes a non-const In
        const ntstatus s =
            peer == nullptr ? status::device_not_connected : peer->answer(request, out);
        record(log_entry::path::connected, in.protocol_id, s, out);
        return s;
    }

    // IRP_MJ_DEVICE_CONTROL on this (unconnected) pin's file object, as
    // KsSynchronousIoControlDevice delivers it. Rules from the IOCTL_KS_HANDSHAKE page:
    //   user-mode requestor                         -> STATUS_INVALID_DEVICE_REQUEST
    //   either length != sizeof(KSHANDSHAKE)         -> STATUS_INVALID_BUFFER_SIZE
    //   success                                      -> *returned = sizeof(KSHANDSHAKE)
    // and the mock's own choices: another control code or no callback ->
    // STATUS_INVALID_DEVICE_REQUEST; a null buffer -> STATUS_INVALID_PARAMETER; *returned = 0 on
    // any failure.
    [[nodiscard]] ntstatus io_control(processor_mode mode, std::uint32_t code, void* in_buffer,
                                      std::uint32_t in_length, void* out_buffer,
                                      std::uint32_t out_length, std::uint32_t* returned) noexcept {
        ntstatus s = status::success;
        kshake::handshake in{};
        kshake::handshake out{};
        if (code != ioctl_ks_handshake || mode != processor_mode::kernel) {
            s = status::invalid_device_request;
        } else if (in_length != sizeof(kshake::handshake) ||
                   out_length != sizeof(kshake::handshake)) {
            s = status::invalid_buffer_size;
        } else if (in_buffer == nullptr || out_buffer == nullptr) {
            s = status::invalid_parameter;
        } else {
            std::memcpy(&in, in_buffer, sizeof in);
            std::memcpy(&out, out_buffer, sizeof out);
            s = answer(in, out);
            if (nt_success(s)) {
                std::memcpy(out_buffer, &out, sizeof out);
            }
        }
        if (returned != nullptr) {
            *returned = nt_success(s) ? static_cast<std::uint32_t>(sizeof(kshake::handshake)) : 0U;
        }
        record(log_entry::path::ioctl, in.protocol_id, s, out);
        return s;
    }

    // Makes this pin misbehave when it answers.
    void inject(const fault& f) noexcept {
        const std::lock_guard lock{mutex_};
        fault_ = f;
    }

    // Every exchange this pin initiated (connected) or received (IOCTL), oldest first.
    [[nodiscard]] std::vector<log_entry> log() const {
        const std::lock_guard lock{mutex_};
        return log_;
    }
    void clear_log() {
        const std::lock_guard lock{mutex_};
        log_.clear();
    }

  private:
    void disconnect_locked() noexcept {
        if (peer_ != nullptr) {
            peer_->peer_ = nullptr;
            peer_ = nullptr;
        }
    }

    ntstatus answer(kshake::handshake& in, kshake::handshake& out) noexcept {
        handshake_callback callback = nullptr;
        fault f{};
        {
            const std::lock_guard lock{mutex_};
            callback = callback_;
            if (fault_.what != fault::kind::none && fault_.times > 0) {
                f = fault_;
                if (--fault_.times == 0) {
                    fault_ = fault{};
                }
            }
        }
        if (f.what == fault::kind::force_status) {
            return f.status;
        }
        if (f.what == fault::kind::write_out_then_fail) {
            out = {in.protocol_id, in.argument2, in.argument1};
            return f.status;
        }
        if (callback == nullptr) {
            return status::invalid_device_request;
        }
        const ntstatus s = callback(this, &in, &out);
        if (!nt_success(s)) {
            return s;
        }
        switch (f.what) {
        case fault::kind::answer_other_protocol:
            out.protocol_id = f.protocol;
            break;
        case fault::kind::corrupt_response_size:
            if (in.argument2 != nullptr) {
                std::memcpy(in.argument2, &f.value, sizeof f.value);
            }
            break;
        case fault::kind::corrupt_response_version:
            if (in.argument2 != nullptr) {
                std::memcpy(static_cast<unsigned char*>(in.argument2) + 4, &f.value,
                            sizeof f.value);
            }
            break;
        case fault::kind::redirect_response:
            out.argument1 = &redirect_target_;
            break;
        default:
            break;
        }
        return s;
    }

    void record(log_entry::path via, const guid& offered, ntstatus s,
                const kshake::handshake& out) noexcept {
        const std::lock_guard lock{mutex_};
        log_.push_back({via, offered, s, out});
    }

    // One lock for every pin's peer_: a connection changes two pins at once, and one lock
    // cannot be taken in two orders.
    static inline std::mutex connections_mutex_;

    void* context_;
    pin* peer_{nullptr};
    handshake_callback callback_{nullptr};
    fault fault_{};
    mutable std::mutex mutex_;
    std::vector<log_entry> log_;
    unsigned char redirect_target_[64]{};
};

// So that `kshake::mock::connect(a, b)` works as well as the unqualified call.
void connect(pin& a, pin& b) noexcept;

// The mock transports have the names and shapes of kshake::avstream's, so a test reads as the
// driver does: kshake::mock::connected_pin(source) where the driver writes
// kshake::avstream::connected_pin(Pin).

// A transport over a connected pin: the initiator calls KsPinHandshake on its own pin.
class connected_pin {
  public:
    explicit connected_pin(pin& initiator) noexcept : pin_{&initiator} {}
    ntstatus operator()(const handshake& in, handshake& out) const noexcept {
        return pin_->handshake(in, out);
    }

  private:
    pin* pin_;
};

// A transport over an unconnected pin's file object: IOCTL_KS_HANDSHAKE, both lengths
// sizeof(KSHANDSHAKE), and the returned byte count checked.
class file_object {
  public:
    explicit file_object(pin& target, processor_mode mode = processor_mode::kernel) noexcept
        : target_{&target}, mode_{mode} {}
    ntstatus operator()(const handshake& in, handshake& out) const noexcept {
        handshake request = in;
        handshake reply = out;
        std::uint32_t returned = 0;
        const ntstatus s = target_->io_control(mode_, ioctl_ks_handshake, &request, sizeof request,
                                               &reply, sizeof reply, &returned);
        if (!nt_success(s)) {
            return s;
        }
        if (returned != sizeof(handshake)) {
            return status::device_protocol_error;
        }
        out = reply;
        return s;
    }

  private:
    pin* target_;
    processor_mode mode_;
};

// A trace hook that keeps every event, each kind in the order it was reported, for a test to
// assert on: register it on both sides (traced(transport, recorder) for the initiator,
// &R::traced_callback<recorder, kshake::mock::pin*> for the responder, where `recorder` has
// static storage duration). Thread-safe: events from several negotiations at once are all kept.
class trace_recorder {
  public:
    trace_recorder() = default;
    trace_recorder(const trace_recorder&) = delete;
    trace_recorder& operator=(const trace_recorder&) = delete;
    ~trace_recorder() = default;

    void operator()(const offer_event& e) noexcept {
        const std::lock_guard lock{mutex_};
        offers_.push_back(e);
    }
    void operator()(const request_event& e) noexcept {
        const std::lock_guard lock{mutex_};
        requests_.push_back(e);
    }

    // What initiators reported, one event per offer sent, oldest first.
    [[nodiscard]] std::vector<offer_event> offers() const {
        const std::lock_guard lock{mutex_};
        return offers_;
    }
    // What responders reported, one event per request answered, oldest first.
    [[nodiscard]] std::vector<request_event> requests() const {
        const std::lock_guard lock{mutex_};
        return requests_;
    }
    void clear() {
        const std::lock_guard lock{mutex_};
        offers_.clear();
        requests_.clear();
    }

  private:
    mutable std::mutex mutex_;
    std::vector<offer_event> offers_;
    std::vector<request_event> requests_;
};
static_assert(trace_hook<trace_recorder>);

// A trace hook that prints each event as a line, kshake::to_string(event) and a newline, to a
// FILE (stdout unless given another). One write a line, so lines from several threads do not
// mix. The FILE must stay open while the hook is in use.
class trace_printer {
  public:
    trace_printer() noexcept = default;
    explicit trace_printer(std::FILE* file) noexcept : file_{file} {}

    void operator()(const offer_event& e) const noexcept { print(kshake::to_string(e)); }
    void operator()(const request_event& e) const noexcept { print(kshake::to_string(e)); }

    [[nodiscard]] std::FILE* file() const noexcept { return file_; }

  private:
    // The line and its newline in one fwrite, which takes the FILE's lock once.
    void print(const trace_string& line) const noexcept {
        char text[trace_string::capacity + 1]{};
        std::memcpy(text, line.data(), line.size());
        text[line.size()] = '\n';
        static_cast<void>(std::fwrite(text, 1, line.size() + 1, file_));
    }

    std::FILE* file_{stdout};
};
static_assert(trace_hook<const trace_printer>);

} // namespace kshake::mock
