// gatemeter-approval-standin: a realm's approval system for the demo and manual tests, on
// 127.0.0.1 only (approval_standin.h).
//
//   gatemeter-approval-standin [--listen=127.0.0.1:PORT] [--reject=PATTERN] [--delay-ms=N]
//                              [--refuse-first=N] [--record=FILE]
//
// Prints `ready port=<P>` once listening; runs until SIGINT or SIGTERM. Point a realm's
// approval_url at http://127.0.0.1:<P>/approve, or feed_webhook at http://127.0.0.1:<P>/feed
// (--refuse-first: the first N requests get 503; --record: acknowledged bodies, a line each).
#include <signal.h>

#include <cstdio>
#include <cstdlib>
#include <string>

#include "tests/support/approval_standin.h"

int main(int argc, char** argv) {
  gm::test::ApprovalStandin::Options options;
  gm::test::ApprovalStandin::Receiving receiving;
  unsigned long port = 0;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a.rfind("--listen=", 0) == 0) {
      const std::string v = a.substr(9);
      if (v.rfind("127.0.0.1:", 0) != 0) {
        std::fprintf(stderr, "gatemeter-approval-standin: --listen must be 127.0.0.1:PORT\n");
        return 2;
      }
      port = std::strtoul(v.c_str() + 10, nullptr, 10);
    } else if (a.rfind("--reject=", 0) == 0) {
      options.reject_pattern = a.substr(9);
    } else if (a.rfind("--delay-ms=", 0) == 0) {
      options.delay_ms = std::atoi(a.c_str() + 11);
    } else if (a.rfind("--refuse-first=", 0) == 0) {
      receiving.refuse_first = std::atoi(a.c_str() + 15);
    } else if (a.rfind("--record=", 0) == 0) {
      receiving.record_path = a.substr(9);
    } else {
      std::fprintf(stderr,
                   "usage: gatemeter-approval-standin [--listen=127.0.0.1:PORT] "
                   "[--reject=PATTERN] [--delay-ms=N] [--refuse-first=N] [--record=FILE]\n");
      return 2;
    }
  }
  if (port > 65535) {
    std::fprintf(stderr, "gatemeter-approval-standin: no such port\n");
    return 2;
  }
  sigset_t stop;
  sigemptyset(&stop);
  sigaddset(&stop, SIGINT);
  sigaddset(&stop, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop, nullptr);
  gm::test::ApprovalStandin standin(options, receiving);
  try {
    standin.start(static_cast<uint16_t>(port));
  } catch (const std::exception& e) {
    std::fprintf(stderr, "gatemeter-approval-standin: %s\n", e.what());
    return 2;
  }
  std::printf("approval stand-in: %s, rejecting inquiries holding \"%s\", %d ms delay\n",
              standin.url().c_str(), options.reject_pattern.c_str(), options.delay_ms);
  std::printf("ready port=%u\n", standin.port());
  std::fflush(stdout);
  int sig = 0;
  sigwait(&stop, &sig);
  standin.stop();
  return 0;
}
