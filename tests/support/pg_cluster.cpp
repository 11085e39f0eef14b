#include "tests/support/pg_cluster.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <glob.h>
#include <libpq-fe.h>
#include <netinet/in.h>
#include <pwd.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <mutex>
#include <sstream>
#include <stdexcept>
#include <thread>
#include <vector>

extern char** environ;

namespace gm::test {

namespace {

namespace fs = std::filesystem;

// Stops the server and removes the folder once its stdin (the lifeline) reaches EOF, which is
// when every copy of the write end is closed: the test process exited, crashed or was killed.
// Immediate: the data is deleted next, so the shutdown checkpoint would be wasted time.
// $1: the folder, $2: pg_ctl, $3: the user the server runs as ("" for the caller).
constexpr const char* keeper_script = R"sh(
dir=$1 pg_ctl=$2 user=$3
read -r _ || :
as() { if [ -n "$user" ]; then runuser -u "$user" -- "$@"; else "$@"; fi; }
if [ -f "$dir/data/postmaster.pid" ]; then
  as "$pg_ctl" -D "$dir/data" -m immediate -w -t 60 stop >/dev/null 2>&1
fi
rm -rf "$dir"
)sh";

bool executable(const fs::path& p) { return ::access(p.c_str(), X_OK) == 0; }

// Debian keeps the server's binaries off PATH, one folder per major version: the newest. Then
// PATH (other systems), or GM_TEST_PG_BINDIR to choose.
std::string find_bindir() {
  const auto complete = [](const fs::path& d) {
    return executable(d / "initdb") && executable(d / "pg_ctl") && executable(d / "postgres");
  };
  if (const char* chosen = std::getenv("GM_TEST_PG_BINDIR")) return complete(chosen) ? chosen : "";
  std::string best;
  int best_version = -1;
  glob_t g{};
  if (::glob("/usr/lib/postgresql/*/bin", 0, nullptr, &g) == 0) {
    for (size_t i = 0; i < g.gl_pathc; ++i) {
      const fs::path d = g.gl_pathv[i];
      const int version = std::atoi(d.parent_path().filename().c_str());
      if (complete(d) && version > best_version) {
        best = d;
        best_version = version;
      }
    }
  }
  ::globfree(&g);
  if (!best.empty()) return best;
  if (const char* path = std::getenv("PATH")) {
    std::stringstream dirs(path);
    for (std::string d; std::getline(dirs, d, ':');)
      if (!d.empty() && complete(d)) return d;
  }
  return "";
}

// Runs argv (PATH searched) in cwd with stdin /dev/null and stdout, stderr appended to `log`,
// and returns its exit status (-1: it did not run).
int run(const std::vector<std::string>& argv, const std::string& cwd, const std::string& log) {
  std::vector<char*> args;
  for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 1, log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
  posix_spawn_file_actions_adddup2(&actions, 1, 2);
  posix_spawn_file_actions_addchdir_np(&actions, cwd.c_str());
  pid_t pid = 0;
  const int rc = ::posix_spawnp(&pid, args[0], &actions, nullptr, args.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) return -1;
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

std::string tail(const std::string& path, size_t lines = 12) {
  std::ifstream in(path);
  std::vector<std::string> all;
  for (std::string line; std::getline(in, line);) all.push_back(line);
  std::string out;
  for (size_t i = all.size() > lines ? all.size() - lines : 0; i < all.size(); ++i)
    out += "\n  " + all[i];
  return out;
}

// A port nobody listens on now. Another process may take it before the server does: start()
// then tries another.
int free_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof a;
  int port = 0;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0 &&
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) == 0)
    port = ntohs(a.sin_port);
  ::close(fd);
  return port;
}

struct Connection {
  explicit Connection(const std::string& conninfo) : c(PQconnectdb(conninfo.c_str())) {}
  ~Connection() { PQfinish(c); }
  bool ok() const { return PQstatus(c) == CONNECTION_OK; }
  // Empty on success, else the server's message.
  std::string exec(const std::string& sql) {
    PGresult* r = PQexec(c, sql.c_str());
    std::string why = PQresultStatus(r) == PGRES_COMMAND_OK ? "" : PQerrorMessage(c);
    PQclear(r);
    return why;
  }
  PGconn* c;
};

}  // namespace

PgCluster* PgCluster::shared(std::string* why_not) {
  // Started once per process, whichever test asks first; a cluster that did not start is not
  // tried again by every later test.
  static std::string failure;
  static std::unique_ptr<PgCluster> cluster = [] {
    std::unique_ptr<PgCluster> c(new PgCluster);
    failure = c->start();
    if (!failure.empty()) c.reset();
    return c;
  }();
  if (!cluster && why_not) *why_not = failure;
  return cluster.get();
}

std::vector<std::string>& PgCluster::server_settings() {
  static std::vector<std::string> settings;
  return settings;
}

void PgCluster::set_server_settings(std::vector<std::string> settings) {
  server_settings() = std::move(settings);
}

std::string PgCluster::start() {
  bindir_ = find_bindir();
  if (bindir_.empty()) return "PostgreSQL server not installed (apt-get install postgresql)";
  uid_t uid = ::geteuid();
  gid_t gid = ::getegid();
  if (uid == 0) {
    const passwd* pw = ::getpwnam("postgres");
    if (pw == nullptr)
      return "running as root and there is no 'postgres' user to run the server as (PostgreSQL "
             "refuses root)";
    run_as_ = "postgres";
    uid = pw->pw_uid;
    gid = pw->pw_gid;
  }
  char tmpl[] = "/tmp/gm-pg-XXXXXX";
  if (::mkdtemp(tmpl) == nullptr) return "mkdtemp failed";
  dir_ = tmpl;
  if (::chown(dir_.c_str(), uid, gid) != 0) {
    fs::remove_all(dir_);
    return "cannot give " + dir_ + " to the server's user";
  }
  owner_ = ::getpid();

  // The keeper first, so that from here on the folder goes whatever happens to us.
  int pipe_fds[2];
  if (::pipe2(pipe_fds, O_CLOEXEC) != 0) {
    fs::remove_all(dir_);
    return "pipe failed";
  }
  lifeline_ = pipe_fds[1];
  {
    const std::vector<std::string> argv = {
        "setsid", "-f", "sh", "-c", keeper_script, "keeper", dir_, bindir_ + "/pg_ctl", run_as_};
    std::vector<char*> args;
    for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, pipe_fds[0], 0);
    posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_addchdir_np(&actions, "/");
    pid_t pid = 0;
    const int rc = ::posix_spawnp(&pid, "setsid", &actions, nullptr, args.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    ::close(pipe_fds[0]);
    int status = 0;
    if (rc == 0) ::waitpid(pid, &status, 0);  // setsid -f returns at once; the keeper lives on
    if (rc != 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
      ::close(lifeline_);
      lifeline_ = -1;
      fs::remove_all(dir_);
      return "cannot start the cluster's keeper (setsid, from util-linux)";
    }
  }

  std::vector<std::string> as;  // the command prefix that runs a server binary
  if (!run_as_.empty()) as = {"runuser", "-u", run_as_, "--"};
  const auto command = [&](std::vector<std::string> argv) {
    argv.insert(argv.begin(), as.begin(), as.end());
    return argv;
  };
  const std::string initdb_log = dir_ + "/initdb.log";
  // --no-sync: a test cluster's files need not reach the disk before it starts; the server
  // itself still runs with fsync on, which the store insists on.
  const int initdb = run(
      command({bindir_ + "/initdb", "-D", dir_ + "/data", "--auth=trust",
               "--username=" + std::string(user), "--encoding=UTF8", "--locale=C", "--no-sync"}),
      dir_, initdb_log);
  if (initdb == -1) return "cannot run " + (as.empty() ? bindir_ + "/initdb" : as[0]);
  if (initdb != 0) return "initdb failed:" + tail(initdb_log);

  const std::string server_log = dir_ + "/server.log";
  for (int attempt = 0; attempt < 5; ++attempt) {
    port_ = free_port();
    std::string options =
        "-k " + dir_ + " -p " + std::to_string(port_) + " -c listen_addresses=127.0.0.1";
    for (const std::string& s : server_settings()) options += " -c " + s;
    if (run(command({bindir_ + "/pg_ctl", "-D", dir_ + "/data", "-l", server_log, "-w", "-t", "60",
                     "-o", options, "start"}),
            dir_, dir_ + "/pg_ctl.log") == 0)
      break;
    if (tail(server_log).find("could not bind") == std::string::npos || attempt == 4)
      return "the PostgreSQL test cluster did not start:" + tail(server_log);
  }
  // pg_ctl -w has waited for it to be ready; a bounded check that it accepts us too.
  const std::string probe = conninfo("postgres");
  for (int i = 0; PQping(probe.c_str()) != PQPING_OK; ++i) {
    if (i == 300)
      return "the PostgreSQL test cluster does not accept connections:" + tail(server_log);
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return "";
}

PgCluster::~PgCluster() {
  if (lifeline_ < 0 || ::getpid() != owner_) return;
  ::close(lifeline_);  // the keeper stops the server and removes the folder
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(90);
  while (fs::exists(dir_) && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
}

std::string PgCluster::create_database() {
  const std::string name = "gm_test_" + std::to_string(++databases_);
  Connection c(conninfo("postgres"));
  const std::string why = c.ok() ? c.exec("CREATE DATABASE " + name) : PQerrorMessage(c.c);
  if (!why.empty()) throw std::runtime_error("cannot create test database " + name + ": " + why);
  return name;
}

void PgCluster::drop_database(const std::string& name) {
  Connection c(conninfo("postgres"));
  // FORCE: a store the test left open must not keep its database.
  if (c.ok()) c.exec("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
}

std::string PgCluster::conninfo(const std::string& database) const {
  return "host=127.0.0.1 port=" + std::to_string(port_) + " user=" + user + " dbname=" + database +
         " sslmode=disable gssencmode=disable connect_timeout=10";
}

}  // namespace gm::test
