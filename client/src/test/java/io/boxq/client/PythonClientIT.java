package io.boxq.client;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** {@code python3 -m unittest} of clients/python against the live server (its stub and 3.9 checks too). */
@ExtendWith(LiveServer.class)
class PythonClientIT {

    @Test
    void the_python_clients_suite_passes_against_a_live_boxq() throws Exception {
        OtherClientSuite.run("python-client", OtherClientSuite.CLIENTS.resolve("python"),
                List.of("python3", "-m", "unittest", "discover", "-s", "tests", "-t", ".", "-v"));
    }
}
