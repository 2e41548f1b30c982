/** The lessons, in the order the Lessons view lists them. */
import type { Lesson } from '../model.js';
import { crashLesson } from './crash.js';
import { electionLesson } from './election.js';
import { figure8Lesson } from './figure8.js';
import { partitionLesson } from './partition.js';
import { replicationLesson } from './replication.js';

export const LESSONS: readonly Lesson[] = [
  electionLesson,
  replicationLesson,
  crashLesson,
  partitionLesson,
  figure8Lesson,
];
