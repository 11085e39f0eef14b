// Writing a fuzz target's seed corpus: one file per seed, in the folder the CTest fixture made.
#pragma once

#include <pb_encode.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

namespace gm::fuzz {

// The generator's one argument: the corpus folder.
inline std::string corpus_dir(int argc, char** argv, const char* program) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s DIR\n", program);
    std::exit(2);
  }
  return argv[1];
}

// A message as nanopb encodes it; a seed that does not encode is a bug in the generator.
inline std::vector<uint8_t> encoded(const pb_msgdesc_t* fields, const void* msg, size_t max_size) {
  std::vector<uint8_t> bytes(max_size);
  pb_ostream_t os = pb_ostream_from_buffer(bytes.data(), bytes.size());
  if (!pb_encode(&os, fields, msg)) {
    std::fprintf(stderr, "seed does not encode: %s\n", PB_GET_ERROR(&os));
    std::exit(1);
  }
  bytes.resize(os.bytes_written);
  return bytes;
}

inline void write_seed(const std::string& dir, const std::string& name,
                       const std::vector<uint8_t>& bytes) {
  const std::string path = dir + "/" + name;
  FILE* out = std::fopen(path.c_str(), "wb");
  if (!out || std::fwrite(bytes.data(), 1, bytes.size(), out) != bytes.size() ||
      std::fclose(out) != 0) {
    std::perror(path.c_str());
    std::exit(1);
  }
}

// For targets whose first input byte chooses a mode (even: as is; odd: made authentic by the
// target): the seed once in each mode, the odd one named with odd_suffix.
inline void write_seed_in_both_modes(const std::string& dir, const std::string& name,
                                     const char* odd_suffix, const uint8_t* data, size_t n) {
  std::vector<uint8_t> seed(1 + n);
  for (size_t i = 0; i < n; ++i) seed[1 + i] = data[i];
  seed[0] = 0;
  write_seed(dir, name, seed);
  seed[0] = 1;
  write_seed(dir, name + odd_suffix, seed);
}

}  // namespace gm::fuzz
