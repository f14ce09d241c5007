// One TCP connection to one Cassandra node, speaking protocol v4 with many requests in
// flight: each request gets a free stream id, a reader thread matches responses to their
// callbacks by stream id and fails requests whose time is up.
//
// Thread safety: Send/Call may be used from any number of threads. Callbacks run on the
// reader thread and must not block or send; hand the result to another thread instead.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "cassandra/frame.h"
#include "common/status.h"

namespace shopstream::cassandra {

// PasswordAuthenticator credentials; never logged, never taken from argv.
struct Credentials {
  std::string user;
  std::string password;
  // From SHOPSTREAM_CASSANDRA_USER and SHOPSTREAM_CASSANDRA_PASSWORD; nullopt when unset.
  static std::optional<Credentials> FromEnvironment();
};

struct ConnectOptions {
  std::string host;
  int port = 9042;
  std::chrono::milliseconds connect_timeout{5000};
  std::chrono::milliseconds request_timeout{12000};  // also for the handshake
  std::optional<Credentials> credentials;
  int max_streams = 1024;  // the spec allows 32768; fewer is enough and cheaper
};

// A response frame (extras such as warnings already stripped), or why there is none:
// Unavailable for a timeout or a lost connection.
using ResponseCallback = std::function<void(Result<Frame>)>;

class Connection {
 public:
  // Connects, sends STARTUP and authenticates (SASL PLAIN) if the server asks to.
  static Result<std::unique_ptr<Connection>> Open(const ConnectOptions& options);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // Sends one request. `done` is called exactly once. Waits only while every stream id is
  // taken. A request that cannot be written fails through `done` with Unavailable.
  void Send(Opcode opcode, std::string_view body, ResponseCallback done,
            std::optional<std::chrono::milliseconds> timeout = std::nullopt);
  // As Send, but the frame waits in this connection's buffer until Flush: many requests then
  // go out in one write, which the server reads and answers in fewer wake-ups (less of its
  // CPU per request). The caller must Flush after its last Queue.
  void Queue(Opcode opcode, std::string_view body, ResponseCallback done,
             std::optional<std::chrono::milliseconds> timeout = std::nullopt);
  // Writes what Queue has buffered. A failed write fails those requests through their `done`.
  void Flush();
  // Sends and waits for the response.
  Result<Frame> Call(Opcode opcode, std::string_view body,
                     std::optional<std::chrono::milliseconds> timeout = std::nullopt);

  bool alive() const;
  const std::string& address() const { return address_; }  // "host:port"
  // Fails what is in flight with Unavailable and stops the reader thread. Idempotent.
  void Close();

 private:
  struct Pending {
    ResponseCallback done;  // empty once the request timed out and its id waits for the reply
    std::chrono::steady_clock::time_point deadline;
    std::chrono::milliseconds timeout;
  };

  Connection(int fd, ConnectOptions options);
  Status Handshake();
  void ReadLoop();
  void Dispatch(Frame frame);
  void ExpireTimedOut();
  void FailAll(const Status& why);
  Status WriteAllLocked(std::string_view bytes);  // write_mutex_ held

  int fd_;
  ConnectOptions options_;
  std::string address_;

  mutable std::mutex mutex_;
  std::condition_variable stream_freed_;
  std::vector<int16_t> free_streams_;
  std::vector<std::optional<Pending>> pending_;  // indexed by stream id
  bool closed_ = false;
  Status close_reason_;

  std::atomic<bool> closing_{false};
  std::mutex write_mutex_;
  std::mutex queued_mutex_;  // taken inside write_mutex_ when both are
  std::string queued_;       // frames from Queue, not yet written
  // Every request in flight fails to write once the server goes: only the first says so.
  std::atomic<bool> write_failure_logged_{false};
  std::thread reader_;
};

}  // namespace shopstream::cassandra
