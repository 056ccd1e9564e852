package io.boxq.core.redis;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Which of Redis's error answers pass (the api answers 503, executors wait) and which are bugs. */
class PassingAnswersTest {
    @ParameterizedTest
    @ValueSource(strings = {
        "LOADING Redis is loading the dataset in memory",
        "READONLY You can't write against a read only replica.",
        "MASTERDOWN Link with MASTER is down and replica-serve-stale-data is set to 'no'.",
        "BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSAVE.",
        "TRYAGAIN Multiple keys request during rehashing of slot",
        "UNBLOCKED force unblock from blocking operation, instance state changed (master -> replica?)",
        "NOREPLICAS Not enough good replicas to write.",
        "ERR Error running script (call to f_abc): @user_script:12: -READONLY You can't write against a read only replica.",
    })
    void passing_answers_are_transient(String answer) {
        assertThat(Redis.passing(answer)).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "WRONGTYPE Operation against a key holding the wrong kind of value",
        "ERR unknown command 'XACKDEL'",
        "NOSCRIPT No matching script. Please use EVAL.",
        "ERR value is not an integer or out of range",
        "LOADINGX not a word Redis answers",
    })
    void other_answers_are_bugs(String answer) {
        assertThat(Redis.passing(answer)).isFalse();
    }
}
