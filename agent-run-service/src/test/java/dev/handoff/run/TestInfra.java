package dev.handoff.run;

import dev.handoff.testsupport.HandoffTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;

/** Every test of this module runs against the real broker and a fresh copy of the service's database. */
@QuarkusTestResource(value = HandoffTestResource.class, initArgs = @ResourceArg(name = "database", value = "handoff_runs"))
public class TestInfra {
}
