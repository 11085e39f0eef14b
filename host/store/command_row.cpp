#include "host/store/command_row.h"

#include <pb_encode.h>

#include "host/store/store_types.h"

namespace gm::host {

void insert_command(sql::Session& db, int64_t agent, const gatemeter_Command& command,
                    int64_t now) {
  sql::Bytes bytes(gatemeter_Command_size);
  pb_ostream_t os = pb_ostream_from_buffer(bytes.data(), bytes.size());
  if (!pb_encode(&os, gatemeter_Command_fields, &command))
    throw StoreError("command does not encode");
  bytes.resize(os.bytes_written);
  db.run("INSERT INTO commands(agent, command, created_unix) VALUES($1, $2, $3)",
         {agent, std::move(bytes), now});
}

}  // namespace gm::host
