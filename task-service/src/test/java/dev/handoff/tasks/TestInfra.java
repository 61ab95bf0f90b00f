package dev.handoff.tasks;

import dev.handoff.testsupport.HandoffTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;

/** Every test of this module runs against the real broker and a fresh copy of the service's database. */
@QuarkusTestResource(value = HandoffTestResource.class, initArgs = @ResourceArg(name = "database", value = "handoff_tasks"))
public class TestInfra {
}
