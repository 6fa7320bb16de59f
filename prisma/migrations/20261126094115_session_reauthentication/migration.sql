-- AlterTable
ALTER TABLE "Session" ADD COLUMN     "authenticatedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP;

-- Sessions that existed before this column were authenticated when they were created, not now:
-- without this they would all count as freshly re-authenticated.
UPDATE "Session" SET "authenticatedAt" = "createdAt";
