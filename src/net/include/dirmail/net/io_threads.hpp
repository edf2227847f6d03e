#pragma once
// One io_context per thread (per core by default); connections are spread over them
// round robin, and a connection stays on its thread for life (no strands needed).
#include <atomic>
#include <cstddef>
#include <memory>
#include <thread>
#include <vector>

#include <boost/asio/executor_work_guard.hpp>

#include "dirmail/net/asio.hpp"

namespace dirmail::net {

class IoThreads {
 public:
  explicit IoThreads(std::size_t count);
  ~IoThreads();
  asio::io_context& next();
  asio::io_context& first() { return *contexts_.front(); }
  void start();
  void stop();  // stops every loop and joins the threads
  std::size_t size() const { return contexts_.size(); }

 private:
  using Guard = asio::executor_work_guard<asio::io_context::executor_type>;
  std::vector<std::unique_ptr<asio::io_context>> contexts_;
  std::vector<Guard> guards_;
  std::vector<std::thread> threads_;
  std::atomic<std::size_t> next_{0};
};

}  // namespace dirmail::net
