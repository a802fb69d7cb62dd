import { ApiProperty } from '@nestjs/swagger';
import { RUN_STATUSES } from './run-status';

/** What every run record shows (mining, insight generation, retention), each kind adding its own. */
export class RunDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ description: 'What started it: schedule, manual, mining, …' }) trigger!: string;
  @ApiProperty({ nullable: true, type: String }) requestedBy!: string | null;
  @ApiProperty({ format: 'date-time' }) startedAt!: string;
  @ApiProperty({ nullable: true, type: String, format: 'date-time' }) finishedAt!: string | null;
  @ApiProperty({ nullable: true, type: Number }) durationMs!: number | null;
  @ApiProperty({ enum: RUN_STATUSES }) status!: string;
  @ApiProperty({ nullable: true, type: String }) error!: string | null;
}

/** A run that reads analytics (mining, insight generation): where it read. */
export class AnalyticsRunDto extends RunDto {
  @ApiProperty({
    enum: ['primary', 'replica'],
    description:
      'Where it read: the streaming replica (DATABASE_URL_REPLICA) once it had replayed up to the run’s start, else the primary',
  })
  readFrom!: 'primary' | 'replica';
  @ApiProperty({ nullable: true, type: String, description: 'Why a run with a replica configured read the primary' })
  readFallback!: string | null;
}

/** The answer to a request that started a run: its id, to follow it in the run history. */
export class RunStartedDto {
  @ApiProperty({ format: 'uuid' }) runId!: string;
  @ApiProperty({ enum: ['running'] }) status!: 'running';
}
