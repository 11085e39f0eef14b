// job() on a worker thread, its result (or its exception, rethrown in the coroutine) back on
// the io context: a coroutine waits for the store or a password hash without holding its io
// thread. The job is the caller's named local (it lives in the waiting coroutine's frame until
// the result is back): GCC 12 destroys some temporaries of a co_await expression twice, so
// none with a destructor is made there.
#pragma once

#include <exception>
#include <type_traits>
#include <utility>  // Boost 1.74's awaitable.hpp uses std::exchange without including it

#include <boost/asio/async_result.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace gm::host {

template <typename F>
boost::asio::awaitable<std::invoke_result_t<F&>> on_worker(boost::asio::thread_pool& worker,
                                                           boost::asio::io_context& io, F& job) {
  using T = std::invoke_result_t<F&>;
  namespace asio = boost::asio;
  return asio::async_initiate<decltype(asio::use_awaitable), void(std::exception_ptr, T)>(
      [&worker, &io, job = &job](auto handler) {
        asio::post(worker, [&io, job, handler = std::move(handler)]() mutable {
          std::exception_ptr error;
          T result{};
          try {
            result = (*job)();
          } catch (...) {
            error = std::current_exception();
          }
          asio::post(io, [handler = std::move(handler), error, r = std::move(result)]() mutable {
            std::move(handler)(error, std::move(r));
          });
        });
      },
      asio::use_awaitable);
}

}  // namespace gm::host
