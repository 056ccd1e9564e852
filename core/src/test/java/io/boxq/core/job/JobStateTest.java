package io.boxq.core.job;

import static io.boxq.core.job.JobState.CANCELLED;
import static io.boxq.core.job.JobState.ERROR;
import static io.boxq.core.job.JobState.FAILED;
import static io.boxq.core.job.JobState.QUEUED;
import static io.boxq.core.job.JobState.RUNNING;
import static io.boxq.core.job.JobState.SUCCEEDED;
import static io.boxq.core.job.JobState.TIMED_OUT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

import java.util.Arrays;
import java.util.EnumSet;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class JobStateTest {
    private static final Set<JobState> TERMINAL = EnumSet.of(SUCCEEDED, FAILED, TIMED_OUT, CANCELLED, ERROR);

    @Test
    void the_transition_table_is_exactly_the_designed_one() {
        assertThat(allowedFrom(QUEUED)).containsExactlyInAnyOrder(RUNNING, CANCELLED, ERROR);
        assertThat(allowedFrom(RUNNING)).containsExactlyInAnyOrder(QUEUED, SUCCEEDED, FAILED, TIMED_OUT, CANCELLED, ERROR);
    }

    @ParameterizedTest
    @EnumSource(value = JobState.class, names = {"SUCCEEDED", "FAILED", "TIMED_OUT", "CANCELLED", "ERROR"})
    void terminal_states_are_final(JobState terminal) {
        assertThat(terminal.isTerminal()).isTrue();
        assertThat(allowedFrom(terminal)).isEmpty();
        for (JobState next : JobState.values()) {
            assertThatIllegalStateException().isThrownBy(() -> terminal.moveTo(next))
                    .withMessageContaining(terminal.wireName());
        }
    }

    @Test
    void only_queued_and_running_are_live() {
        assertThat(Arrays.stream(JobState.values()).filter(s -> !s.isTerminal())).containsExactly(QUEUED, RUNNING);
    }

    @Test
    void a_legal_move_returns_the_new_state_and_an_illegal_one_throws() {
        assertThat(QUEUED.moveTo(RUNNING)).isEqualTo(RUNNING);
        assertThat(RUNNING.moveTo(QUEUED)).isEqualTo(QUEUED);
        assertThatIllegalStateException().isThrownBy(() -> QUEUED.moveTo(SUCCEEDED))
                .withMessage("a job cannot go from queued to succeeded");
        assertThatIllegalStateException().isThrownBy(() -> QUEUED.moveTo(QUEUED));
    }

    @Test
    void wire_names_are_snake_case_and_round_trip() {
        assertThat(TIMED_OUT.wireName()).isEqualTo("timed_out");
        for (JobState s : JobState.values()) {
            assertThat(JobState.fromWire(s.wireName())).isEqualTo(s);
        }
        assertThatIllegalArgumentException().isThrownBy(() -> JobState.fromWire("TIMED_OUT"));
        assertThatIllegalArgumentException().isThrownBy(() -> JobState.fromWire(null));
    }

    @Test
    void exit_code_and_timeout_decide_the_end_state() {
        assertThat(JobState.ofExit(0)).isEqualTo(SUCCEEDED);
        assertThat(JobState.ofExit(3)).isEqualTo(FAILED);
        assertThat(JobState.ofExit(137)).isEqualTo(FAILED);
        byte[] none = new byte[0];
        assertThat(new CommandResult(137, none, none, false, false, true).state()).isEqualTo(TIMED_OUT);
        assertThat(new CommandResult(0, none, none, false, false, false).state()).isEqualTo(SUCCEEDED);
        assertThat(TERMINAL).allMatch(JobState::isTerminal);
    }

    private static Set<JobState> allowedFrom(JobState from) {
        Set<JobState> allowed = EnumSet.noneOf(JobState.class);
        for (JobState next : JobState.values()) {
            if (from.canMoveTo(next)) {
                allowed.add(next);
            }
        }
        return allowed;
    }
}
