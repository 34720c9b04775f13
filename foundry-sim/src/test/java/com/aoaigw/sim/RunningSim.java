package com.aoaigw.sim;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;

/**
 * A test class with one simulator for all its tests, started before them on free ports and stopped after them, and a
 * {@link SimHttp} client for it. Override {@link #settings()} for other settings.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class RunningSim {
    /** The simulator. */
    protected FoundrySim sim;
    /** A client for it. */
    protected SimHttp http;

    /** @return the simulator's settings (the defaults unless overridden) */
    protected SimSettings settings() {
        return SimSettings.defaults();
    }

    /** @return the simulator's clock (the system's unless overridden) */
    protected java.time.Clock clock() {
        return java.time.Clock.systemUTC();
    }

    @BeforeAll
    final void startSim() {
        sim = FoundrySim.start(settings(), clock());
        http = new SimHttp(sim);
    }

    @AfterAll
    final void stopSim() {
        sim.stop();
    }
}
