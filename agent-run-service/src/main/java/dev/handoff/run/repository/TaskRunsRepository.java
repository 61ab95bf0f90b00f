package dev.handoff.run.repository;

import dev.handoff.run.TaskRuns;
import io.quarkus.hibernate.reactive.panache.PanacheRepositoryBase;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.UUID;

@ApplicationScoped
public class TaskRunsRepository implements PanacheRepositoryBase<TaskRuns, UUID> {
}
